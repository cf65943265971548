import type { ComponentProps } from "react";
import { NativeSelect } from "./input";
import { Label } from "./label";

export type SelectOption = { id: string; label: string };

/**
 * A labelled select of `{id, label}` options (checkpoints, snapshots, campaigns), with an
 * optional first choice `empty` whose value is "". Other props (`error` too) go to the select.
 */
export function LabeledSelect({ id, label, options, empty, ...props }: ComponentProps<typeof NativeSelect> & { id: string; label: string; options: SelectOption[]; empty?: string }) {
  return (
    <div className="flex flex-col gap-1">
      <Label htmlFor={id}>{label}</Label>
      <NativeSelect id={id} {...props}>
        {empty !== undefined ? <option value="">{empty}</option> : null}
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.label}
          </option>
        ))}
      </NativeSelect>
    </div>
  );
}
