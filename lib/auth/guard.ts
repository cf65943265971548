/**
 * The one access check. Called first in every protected page, server action and route
 * handler. The session only says who signed in; the user row is read on every request,
 * so a role change or a disabled account takes effect at once.
 */
import "server-only";
import { getServerSession } from "next-auth";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import type { User } from "@/db/schema";
import type { Role } from "@/db/values";
import { AppError } from "@/lib/errors";
import { findUserById } from "@/lib/users/users";
import { authOptions } from "./options";
import { ACCOUNT_DISABLED_MESSAGE } from "./signin-page";
import { findUserByApiToken } from "./tokens";

/** Personal API tokens are for researchers and admins only. */
export const tokenRoles: Role[] = ["researcher", "admin"];

/** A session is refused when its user is disabled, or signed in before their password was reset. */
export function sessionStillValid(user: Pick<User, "disabledAt" | "sessionsValidAfter">, signedInAt: number | undefined): boolean {
  if (user.disabledAt) return false;
  return !user.sessionsValidAfter || (signedInAt ?? 0) >= user.sessionsValidAfter.getTime();
}

/** Its own code, so that a page tells it apart from an ended session: signing in again cannot help. */
const accountDisabled = () => new AppError("unauthorized:account_disabled", ACCOUNT_DISABLED_MESSAGE);

/**
 * A live token whose owner an admin made a labeler: 403 like any other role refusal, with its own
 * code. The token is not revoked, so it works again if the role is given back.
 */
const tokenOwnerDemoted = () =>
  new AppError("forbidden:token_role", `This token's owner is no longer a researcher or admin: API tokens work only for those roles. Ask an admin to give the role back, and the token works again.`);

/** The session's user; "disabled" when an admin disabled that account, null when there is no valid session. */
const sessionUser = cache(async (): Promise<User | "disabled" | null> => {
  const session = await getServerSession(authOptions);
  const id = session?.user?.id;
  if (!id) return null;
  const user = await findUserById({ userId: id });
  if (user?.disabledAt) return "disabled";
  return user && sessionStillValid(user, session.user.signedInAt) ? user : null;
});

/** Pages and server actions: the signed-in, enabled user, or a redirect to sign-in (which says so to a disabled one). */
export async function requireUser(): Promise<User> {
  const user = await sessionUser();
  if (user === "disabled") redirect("/signin?error=AccountDisabled");
  if (!user) redirect("/signin");
  return user;
}

/** Pages and server actions: the user if their role is allowed, else a 403 page. */
export async function requireRole(...allowed: Role[]): Promise<User> {
  const user = await requireUser();
  if (!allowed.includes(user.role)) forbidden();
  return user;
}

/** The user behind a request: a personal API token (`Authorization: Bearer`) or the session cookie. */
async function apiUser(request: Request): Promise<User | null> {
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const user = match ? await findUserByApiToken({ token: match[1]! }) : null;
    if (!user) throw new AppError("unauthorized:token", "The API token is invalid or revoked.");
    // Past this line the caller holds a live token, and so may learn why its owner is refused:
    // "invalid or revoked" would send them to make a new token, which their role no longer allows.
    if (user.disabledAt) throw accountDisabled();
    if (!tokenRoles.includes(user.role)) throw tokenOwnerDemoted();
    return user;
  }
  const user = await sessionUser();
  if (user === "disabled") throw accountDisabled();
  return user;
}

/** Route handlers: the caller, or 401 (`unauthorized:account_disabled` for a disabled account). */
export async function requireApiUser(request: Request): Promise<User> {
  const user = await apiUser(request);
  if (!user) throw new AppError("unauthorized", "Sign in or send a valid API token.");
  return user;
}

/** Route handlers: the caller if their role is allowed, else 401/403. */
export async function requireApiRole(request: Request, ...allowed: Role[]): Promise<User> {
  const user = await requireApiUser(request);
  if (!allowed.includes(user.role)) {
    throw new AppError("forbidden", `This needs the ${allowed.join(" or ")} role.`);
  }
  return user;
}
