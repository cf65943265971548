import { ZodError } from "zod";
import { isAppError } from "@/lib/errors";
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
    logger.error({ err }, "server action failed");
    return { ok: false, error: "Something went wrong on our side. Try again." };
  }
}
