import type { ComponentProps } from "react";
import { cn } from "./cn";

/**
 * What is wrong with a control's value, if anything: the control is marked `aria-invalid` and
 * described by the message, which shows under it (the control needs an `id`).
 */
type ErrorProp = { error?: string };

// On a touch screen a control is 44 px tall (WCAG 2.5.5) and its text 16 px, below which iOS
// zooms the page into the field when it is focused.
const control =
  "pointer-coarse:min-h-11 pointer-coarse:text-base rounded-md border border-slate-300 bg-white text-sm shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-slate-400 disabled:opacity-50 aria-[invalid=true]:border-red-600 aria-[invalid=true]:ring-1 aria-[invalid=true]:ring-red-600";

function errorId(id: string | undefined) {
  return `${id}-error`;
}

/** The props that tie a control to its message while it has one; other `aria-describedby` ids are kept. */
function invalidProps(id: string | undefined, error: string | undefined, describedBy: string | undefined) {
  if (!error) return { "aria-describedby": describedBy };
  return { "aria-invalid": true, "aria-describedby": [describedBy, errorId(id)].filter(Boolean).join(" ") };
}

function FieldError({ id, error }: { id: string | undefined; error: string | undefined }) {
  return error ? (
    <p id={errorId(id)} className="text-xs text-red-700">
      {error}
    </p>
  ) : null;
}

export function Input({ className, error, ...props }: ComponentProps<"input"> & ErrorProp) {
  return (
    <>
      <input
        className={cn("flex h-9 w-full px-3 py-1 placeholder:text-slate-400", control, className)}
        {...props}
        {...invalidProps(props.id, error, props["aria-describedby"])}
      />
      <FieldError id={props.id} error={error} />
    </>
  );
}

export function NativeSelect({ className, error, ...props }: ComponentProps<"select"> & ErrorProp) {
  return (
    <>
      <select className={cn("flex h-9 px-2 disabled:cursor-not-allowed", control, className)} {...props} {...invalidProps(props.id, error, props["aria-describedby"])} />
      <FieldError id={props.id} error={error} />
    </>
  );
}

export function Textarea({ className, error, ...props }: ComponentProps<"textarea"> & ErrorProp) {
  return (
    <>
      <textarea className={cn("p-2", control, className)} {...props} {...invalidProps(props.id, error, props["aria-describedby"])} />
      <FieldError id={props.id} error={error} />
    </>
  );
}

/** A form's field errors from its last action result (lib/action-result.ts): none until a refusal names fields. */
export function fieldErrorsOf(state: { ok: boolean; fieldErrors?: Record<string, string> } | null | undefined): Record<string, string> {
  return state && !state.ok ? (state.fieldErrors ?? {}) : {};
}
