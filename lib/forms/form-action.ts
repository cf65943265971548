import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import type { z } from "zod";
import { actionResult, formArg, type FormResult, type SentForm } from "@/lib/action-result";
import { env } from "@/lib/env";
import { FLASH_MAX_AGE_SECONDS, flashCookieName } from "@/lib/forms/flash";

/**
 * Where the browser is sent after a form it posted itself succeeded: `path`, a page that shows the result (the new
 * run's page), or, with `flash`, the form's own page, which shows the result carried by the flash of that name.
 */
export type Answer = { path: string; flash?: string };

/**
 * Whether the page's script sent the form. React's script posts an action with Next's `Next-Action` header; a form
 * the browser posts itself, before the script has run, is a plain multipart POST with the action's id among its
 * fields and no such header.
 */
async function sentByScript(): Promise<boolean> {
  return (await headers()).has("next-action");
}

/** A field whose name says it holds a secret: never sent back, whichever form it came with. */
const SECRET_FIELD = /password|secret|token/i;

/** The fields of a form as sent, less React's own (`$ACTION_…`), files, and secrets (SECRET_FIELD). */
export function sentFields(form: FormData): SentForm {
  // A Map, so that a field named `toString` or `__proto__` is a field like any other.
  const out = new Map<string, string[]>();
  for (const [key, value] of form.entries()) {
    if (key.startsWith("$ACTION") || SECRET_FIELD.test(key) || typeof value !== "string") continue;
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return Object.fromEntries(out);
}

/**
 * Runs a form's server action body (after the action's guard) and answers the way the form was sent.
 *
 * Sent by the page's script: the result, as actionResult gives it; the form kept its fields and shows it.
 *
 * Posted by the browser itself, before the script ran, the page is rendered from what this returns, so:
 * - a refusal carries the fields it was sent with, but no secret (a password), to be shown again;
 * - a success redirects (303) to `answer(data)`, so that reloading the page it lands on asks the server for
 *   that page again instead of posting the form a second time (a second user, invite, token, snapshot or run).
 *   What the page shows of the result travels in a flash cookie, never in the URL.
 */
export async function formAction<T>(
  formArgument: unknown,
  { answer }: { answer: (data: T) => Answer },
  body: (form: FormData) => Promise<T>,
): Promise<FormResult<T>> {
  const result = await actionResult(() => body(formArg(formArgument)));
  if (await sentByScript()) return result;
  if (!result.ok) return formArgument instanceof FormData ? { ...result, sent: sentFields(formArgument) } : result;
  const { path, flash } = answer(result.data);
  if (flash) {
    (await cookies()).set(flashCookieName(flash), JSON.stringify(result.data), {
      path,
      httpOnly: true,
      sameSite: "lax",
      secure: env.NEXTAUTH_URL?.startsWith("https://") ?? false,
      maxAge: FLASH_MAX_AGE_SECONDS,
    });
  }
  redirect(path);
}

/**
 * The success form `form`'s action left for this page (see formAction), as the form's initial action state; null
 * when there is none, or when it is not of the shape `data` expects (a cookie is the client's to change). proxy.ts
 * expires the cookie in this page's response, so the page shows it once.
 */
export async function flashResult<T>(form: string, data: z.ZodType<T>): Promise<{ ok: true; data: T } | null> {
  const raw = (await cookies()).get(flashCookieName(form))?.value;
  if (!raw) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = data.safeParse(value);
  return parsed.success ? { ok: true, data: parsed.data } : null;
}
