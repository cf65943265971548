import { ZodError } from "zod";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "@/db/errors";
import { parseId } from "@/lib/api/params";
import { assertStorableText, isStorableText, unstorableTextMessage } from "@/lib/api/storable-text";
import { AppError, isAppError } from "@/lib/errors";
import { logger } from "@/lib/logger";

/**
 * What a server action returns to its form. A refusal's `error` is the whole message; its
 * `fieldErrors` say the same per field, under every key of a schema issue's path
 * (`settings.goldRate` under "settings" and "goldRate") and under the subject of an error
 * code (`bad_request:config` under "config"), so the form can mark the inputs at fault.
 */
export type ActionResult<T = undefined> = { ok: true; data: T } | { ok: false; error: string; fieldErrors?: FieldErrors };
export type FieldErrors = Record<string, string>;

/** A form's fields as the browser sent them, by name (a group of checkboxes sends several values under one). */
export type SentForm = Record<string, string[]>;

/**
 * What a form's server action returns (lib/forms/form-action.ts): a refusal of a form the browser posted itself,
 * before the page's script ran, carries the fields it was sent with, so the page rendered from it can show them
 * again (app/_components/sent-back.ts); secrets are left out.
 */
export type FormResult<T> = ActionResult<T> & { sent?: SentForm };

/** "settings.goldRate" -> "Gold rate": the last key of an issue's path in words, as a form labels it. */
function fieldName(path: PropertyKey[]): string | null {
  const key = [...path].reverse().find((k): k is string => typeof k === "string");
  if (!key) return null;
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words[0]!.toUpperCase() + words.slice(1);
}

/** An issue for a form: "Overlap: must be at least 1." A schema's own sentence ("Give the campaign a name.") stands alone. */
function describeIssue(issue: { path: PropertyKey[]; message: string }): string {
  if (/^[A-Z]/.test(issue.message)) return issue.message;
  const field = fieldName(issue.path);
  return `${field ? `${field}: ` : ""}${issue.message}.`;
}

function issueFieldErrors(issues: { path: PropertyKey[]; message: string }[]): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    for (const key of issue.path) {
      if (typeof key === "string") out[key] = out[key] ? `${out[key]} ${describeIssue(issue)}` : describeIssue(issue);
    }
  }
  return out;
}

/** "bad_request:config" -> { config: message }; a code without a subject marks no field. */
function codeFieldErrors(err: AppError): FieldErrors | undefined {
  const subject = err.code.split(":")[1];
  return subject ? { [subject]: err.message } : undefined;
}

/** Runs an action body, turning known errors into a message for the form. */
export async function actionResult<T>(body: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await body() };
  } catch (err) {
    if (isAppError(err)) return { ok: false, error: err.message, fieldErrors: codeFieldErrors(err) };
    if (err instanceof ZodError) return { ok: false, error: err.issues.map(describeIssue).join(" "), fieldErrors: issueFieldErrors(err.issues) };
    if (isDatabaseUnavailable(err)) {
      // As the route wrapper's 503: every write is one transaction, so the form may be sent again.
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, "database unavailable");
      return { ok: false, error: DATABASE_UNAVAILABLE_MESSAGE };
    }
    logger.error({ err }, "server action failed");
    return { ok: false, error: "Something went wrong on our side. Try again." };
  }
}

/**
 * A server action's form argument. Any client can call an action with whatever arguments
 * it can encode, so the type in the signature is a hope, not a check.
 */
export function formArg(value: unknown): FormData {
  if (!(value instanceof FormData)) throw new AppError("bad_request:form", "This action takes a form.");
  for (const [key, item] of value.entries()) {
    if (typeof item === "string" && !isStorableText(item)) throw new AppError("bad_request:text", unstorableTextMessage(key));
  }
  return value;
}

/**
 * A server action's plain-value argument (an object its schema parses next): any string in
 * it, keys included, must be storable, or the caller gets a message naming the field
 * instead of a failed insert.
 */
export function plainArg(value: unknown): unknown {
  assertStorableText(value);
  return value;
}

/** A server action's id argument: a uuid, or "no such <what>". */
export function idArg(value: unknown, what: string): string {
  return parseId(value, what);
}
