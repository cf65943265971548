import "server-only";
import { and, count, eq, gt, lt } from "drizzle-orm";
import { db } from "@/db/client";
import { signinFailures } from "@/db/schema";
import { env } from "@/lib/env";

/**
 * Failed sign-ins are counted in Postgres, so every web instance sees the same window.
 * The check runs before the password hash is computed: a flood of guesses costs a
 * query each, not an argon2 hash each.
 */
export async function signinBlockedFor({ email, ip }: { email: string; ip: string }): Promise<string | null> {
  const since = new Date(Date.now() - env.SIGNIN_WINDOW_MINUTES * 60_000);
  const [byEmail, byIp] = await Promise.all([
    db.select({ n: count() }).from(signinFailures).where(and(eq(signinFailures.email, email), gt(signinFailures.at, since))),
    db.select({ n: count() }).from(signinFailures).where(and(eq(signinFailures.ip, ip), gt(signinFailures.at, since))),
  ]);
  const minutes = env.SIGNIN_WINDOW_MINUTES;
  if (byEmail[0]!.n >= env.SIGNIN_MAX_FAILURES_PER_ACCOUNT) {
    return `Too many failed sign-ins for this account. Try again in ${minutes} minutes.`;
  }
  if (byIp[0]!.n >= env.SIGNIN_MAX_FAILURES_PER_IP) {
    return `Too many failed sign-ins from your network. Try again in ${minutes} minutes.`;
  }
  return null;
}

export async function recordSigninFailure({ email, ip }: { email: string; ip: string }): Promise<void> {
  await db.insert(signinFailures).values({ email, ip });
  // Keep the table small: anything older than the window no longer counts.
  const cutoff = new Date(Date.now() - env.SIGNIN_WINDOW_MINUTES * 60_000);
  if (Math.random() < 0.05) await db.delete(signinFailures).where(lt(signinFailures.at, cutoff));
}

/** A successful sign-in clears the account's failures (not the IP's). */
export async function clearSigninFailures({ email }: { email: string }): Promise<void> {
  await db.delete(signinFailures).where(eq(signinFailures.email, email));
}
