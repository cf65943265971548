"use client";
import { useActionState } from "react";
import { count } from "@/app/_components/count";
import { useSentBack } from "@/app/_components/sent-back";
import { submitKeepingInput } from "@/app/_components/submit-keeping-input";
import { Button } from "@/app/_components/ui/button";
import { fieldErrorsOf, Input, NativeSelect } from "@/app/_components/ui/input";
import { Label } from "@/app/_components/ui/label";
import { choiceLabel } from "@/app/_components/ui/tap-target";
import { ValueOptions } from "@/app/_components/ui/value-options";
import { snapshotAggregateValues, type SnapshotAggregate } from "@/db/values";
import { aggregateLabels } from "@/lib/snapshots/aggregate-labels";
import { createSnapshotAction, type SnapshotMade } from "../runs/actions";

/**
 * `ticked`: the campaign ticked at first. `defaultName`: the name proposed, free among the
 * snapshots taken (lib/snapshots/default-name.ts); a snapshot made here changes it when the page is
 * revalidated, and the name field, keyed by it, then starts again from the next one. `made`: the
 * snapshot the form made when the browser posted it itself, shown after its redirect
 * (lib/forms/form-action.ts).
 */
export function SnapshotForm({
  campaigns,
  ticked,
  defaultName,
  made,
}: {
  campaigns: { id: string; name: string }[];
  ticked: string | undefined;
  defaultName: string;
  made: { ok: true; data: SnapshotMade } | null;
}) {
  const [state, action, pending] = useActionState(createSnapshotAction, made);
  const errors = fieldErrorsOf(state);
  const sent = useSentBack(state);
  return (
    <form action={action} onSubmit={submitKeepingInput(action)} className="grid grid-cols-1 gap-3 sm:grid-cols-3">
      <div className="flex flex-col gap-1">
        <Label htmlFor="snap-name">Name</Label>
        <Input key={defaultName} id="snap-name" name="name" required defaultValue={sent.value("name", defaultName)} error={errors.name} />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="snap-aggregate">Rows</Label>
        <NativeSelect id="snap-aggregate" name="aggregate" defaultValue={sent.value("aggregate", "all" satisfies SnapshotAggregate)} error={errors.aggregate}>
          <ValueOptions values={snapshotAggregateValues} labels={aggregateLabels} />
        </NativeSelect>
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="snap-gold">Drop labelers with gold accuracy below</Label>
        <Input id="snap-gold" name="minGoldAccuracy" type="number" step="0.05" min={0} max={1} placeholder="keep everyone" defaultValue={sent.value("minGoldAccuracy", "")} error={errors.minGoldAccuracy} />
      </div>
      <fieldset className="sm:col-span-3">
        <legend className="mb-1 text-sm font-medium">Campaigns</legend>
        <div className="flex flex-wrap gap-3 text-sm">
          {campaigns.map((c) => (
            <label key={c.id} className={choiceLabel}>
              <input type="checkbox" name="campaignIds" value={c.id} defaultChecked={sent.checked("campaignIds", c.id === ticked, c.id)} /> {c.name}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="flex flex-wrap gap-4 text-sm sm:col-span-3">
        <label className={choiceLabel}>
          <input type="checkbox" name="includeTies" defaultChecked={sent.checked("includeTies", false)} /> Keep ties
        </label>
        <label className={choiceLabel}>
          <input type="checkbox" name="includeBothBad" defaultChecked={sent.checked("includeBothBad", false)} /> Keep &quot;both bad&quot; (as ties)
        </label>
        <label className={choiceLabel}>
          <input type="checkbox" name="weightByReliability" defaultChecked={sent.checked("weightByReliability", false)} /> Weight rows by labeler reliability
        </label>
      </div>
      <div className="flex items-center gap-3 sm:col-span-3">
        <Button type="submit" disabled={pending}>
          Create snapshot
        </Button>
        {state && !state.ok ? (
          <p role="alert" className="text-sm text-red-700">
            {state.error}
          </p>
        ) : null}
        {state?.ok ? (
          <p role="status" className="text-sm text-emerald-700">
            Snapshot of {count(state.data.rows, "row")}, hash {state.data.hash.slice(0, 12)}…
          </p>
        ) : null}
      </div>
    </form>
  );
}
