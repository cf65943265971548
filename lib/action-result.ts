import { ZodError } from "zod";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "@/db/errors";
import { parseId } from "@/lib/api/params";
import { assertStorableText, isStorableText, unstorableTextMessage } from "@/lib/api/storable-text";
import { AppError, isAppError } from "@/lib/errors";
import { logger } from "@/lib/logger";

/** What a server action returns to its form. */
export type ActionResult<T = undefined> = { ok: true; data: T } | { ok: false; error: string };

/** Runs an action body, turning known errors into a message for the form. */
export async function actionResult<T>(body: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await body() };
  } catch (err) {
    if (isAppError(err)) return { ok: false, error: err.message };
    if (err instanceof ZodError) return { ok: false, error: err.issues.map((i) => i.message).join(" ") };
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
