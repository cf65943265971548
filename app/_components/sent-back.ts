import { useState } from "react";
import type { SentForm } from "@/lib/action-result";

/**
 * The defaults of a form's fields, from the refusal the page was rendered with when the browser posted the form
 * itself, before the page's script ran (lib/forms/form-action.ts): each field shows what was sent instead of
 * starting over. Without such a refusal each field shows its usual default. Read once, when the form mounts: a form
 * sent by the page's script keeps its own fields, and a later refusal has no `sent`.
 */
export type SentBack = {
  /** Whether the form came back with what was sent. */
  resent: boolean;
  /** A text field's or a select's default. */
  value(name: string, otherwise: string): string;
  /** A checkbox's default: ticked if it was sent (with `value`, for one of a group sharing a name). */
  checked(name: string, otherwise: boolean, value?: string): boolean;
};

export function useSentBack(state: { ok: boolean; sent?: SentForm } | null): SentBack {
  const [sent] = useState(() => (state && !state.ok && state.sent ? state.sent : null));
  const values = (name: string) => (sent && Object.hasOwn(sent, name) ? sent[name]! : []);
  return {
    resent: sent !== null,
    value: (name, otherwise) => (sent ? (values(name)[0] ?? "") : otherwise),
    checked: (name, otherwise, value = "on") => (sent ? values(name).includes(value) : otherwise),
  };
}
