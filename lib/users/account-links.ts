/**
 * One-time links an admin hands to a person: an invite (they choose a name and password
 * and the account is created) or a password reset (they choose a new password). The
 * token carries 256 random bits and only its SHA-256 is stored, so the table cannot be
 * used to sign anyone up, and guessing a live token is out of reach without a rate limit.
 * A link is spent in the same transaction as the change it makes: it works at most once.
 */
import "server-only";
import { randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { db } from "@/db/client";
import { accountLinks, users, type AccountLink, type User } from "@/db/schema";
import type { AccountLinkKind, Role } from "@/db/values";
import { recordAudit } from "@/lib/audit/audit";
import { hashPassword } from "@/lib/auth/password";
import { clearSigninFailures } from "@/lib/auth/rate-limit";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { sha256 } from "@/lib/hash";
import { acceptInviteSchema, createInviteSchema, resetPasswordSchema, type AcceptInviteInput, type CreateInviteInput, type IssuedLinkDto, type ResetPasswordInput } from "./schema";

/** How long a link stays usable. An invite waits for someone to read their mail; a reset is for now. */
export const linkLifetime: Record<AccountLinkKind, { hours: number; label: string }> = {
  invite: { hours: 7 * 24, label: "7 days" },
  password_reset: { hours: 24, label: "24 hours" },
};

/** The page a link opens, without the origin (the admin's browser adds its own). */
function linkPath(kind: AccountLinkKind, token: string): string {
  return kind === "invite" ? `/invite/${token}` : `/reset-password/${token}`;
}

/** What a token stands for right now, as the public pages show it. */
export type LinkState =
  | { state: "valid"; kind: AccountLinkKind; email: string; role: Role | null; expiresAt: Date }
  | { state: "unknown" | "used" | "revoked" | "expired" | "account_exists" | "account_disabled"; kind: AccountLinkKind; expiresAt?: Date };

const problems: Record<Exclude<LinkState["state"], "valid">, (kind: AccountLinkKind, expiresAt?: Date) => string> = {
  unknown: (kind) =>
    `This ${noun(kind)} link is not valid. Check that you copied all of it, or ask an admin for a new one.`,
  used: (kind) =>
    kind === "invite" ? "This invite has already been used. Sign in with the password you chose." : "This reset link has already been used. Ask an admin for a new one if you need it.",
  revoked: (kind) => `This ${noun(kind)} link was withdrawn or replaced by a newer one. Ask an admin for a new one.`,
  expired: (kind, expiresAt) =>
    `This ${noun(kind)} link expired${expiresAt ? ` on ${expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC` : ""}. Ask an admin for a new one.`,
  account_exists: () => "An account with this email already exists. Sign in instead.",
  account_disabled: () => "This account is disabled. Ask an admin to re-enable it.",
};

function noun(kind: AccountLinkKind): string {
  return kind === "invite" ? "invite" : "password reset";
}

/** The message for a link that cannot be used, or null for a valid one. */
export function linkProblem(link: LinkState): string | null {
  return link.state === "valid" ? null : problems[link.state](link.kind, link.expiresAt);
}

function hashToken(token: string): string {
  return sha256(token);
}

function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Tokens are 43 base64url characters; anything else is unknown without a query. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

async function findLink(kind: AccountLinkKind, token: string): Promise<AccountLink | undefined> {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  const [row] = await db
    .select()
    .from(accountLinks)
    .where(and(eq(accountLinks.tokenHash, hashToken(token)), eq(accountLinks.kind, kind)));
  return row;
}

async function stateOf(kind: AccountLinkKind, link: AccountLink | undefined): Promise<LinkState> {
  if (!link) return { state: "unknown", kind };
  const { expiresAt } = link;
  if (link.usedAt) return { state: "used", kind, expiresAt };
  if (link.revokedAt) return { state: "revoked", kind, expiresAt };
  if (expiresAt.getTime() <= Date.now()) return { state: "expired", kind, expiresAt };
  if (kind === "invite") {
    const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.email, link.email));
    if (taken) return { state: "account_exists", kind, expiresAt };
  } else {
    const [user] = await db.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.id, link.userId!));
    if (!user) return { state: "unknown", kind };
    if (user.disabledAt) return { state: "account_disabled", kind, expiresAt };
  }
  return { state: "valid", kind, email: link.email, role: link.role, expiresAt };
}

/** What the public page shows for a token: never throws for a bad one. */
export async function inspectAccountLink({ kind, token }: { kind: AccountLinkKind; token: string }): Promise<LinkState> {
  return stateOf(kind, await findLink(kind, token));
}

async function usableLink(kind: AccountLinkKind, token: string): Promise<AccountLink> {
  const link = await findLink(kind, token);
  const state = await stateOf(kind, link);
  const problem = linkProblem(state);
  if (problem) throw new AppError(state.state === "unknown" ? "not_found:link" : `conflict:link_${state.state}`, problem);
  return link!;
}

type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

/** Marks the link used if it still is usable; false when another request got there first. */
async function spend(tx: Tx, link: AccountLink, userId: string): Promise<boolean> {
  const spent = await tx
    .update(accountLinks)
    .set({ usedAt: new Date(), userId })
    .where(and(eq(accountLinks.id, link.id), isNull(accountLinks.usedAt), isNull(accountLinks.revokedAt), gt(accountLinks.expiresAt, sql`now()`)))
    .returning({ id: accountLinks.id });
  return spent.length === 1;
}

const expiry = (kind: AccountLinkKind) => sql`now() + make_interval(hours => ${linkLifetime[kind].hours})`;

/** Pending links of a kind for an address (invites) or a user (resets) are replaced by a new one. */
async function revokePending(tx: Tx, kind: AccountLinkKind, where: SQL) {
  await tx
    .update(accountLinks)
    .set({ revokedAt: new Date() })
    .where(and(eq(accountLinks.kind, kind), where, isNull(accountLinks.usedAt), isNull(accountLinks.revokedAt)));
}

/** What the API returns for a new link: the URL on the app's public origin. */
export function issuedLinkDto({ path, link }: { path: string; link: AccountLink }, requestUrl: string): IssuedLinkDto {
  return { kind: link.kind, email: link.email, path, url: new URL(path, env.NEXTAUTH_URL ?? requestUrl).toString(), expiresAt: link.expiresAt.toISOString() };
}

/** An invite for a new account; the token is returned once and never stored. */
export async function createInvite({ input, actorId }: { input: CreateInviteInput; actorId: string }): Promise<{ token: string; path: string; link: AccountLink }> {
  const data = createInviteSchema.parse(input);
  const token = newToken();
  const link = await db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, data.email));
    if (existing) throw new AppError("conflict:user_email", `A user with the email ${data.email} already exists.`);
    await revokePending(tx, "invite", eq(accountLinks.email, data.email));
    const [row] = await tx
      .insert(accountLinks)
      .values({ kind: "invite", tokenHash: hashToken(token), email: data.email, role: data.role, createdBy: actorId, expiresAt: expiry("invite") })
      .returning();
    await recordAudit({ tx, actorId, action: "invite.created", targetType: "invite", targetId: row!.id, details: { email: data.email, role: data.role } });
    return row!;
  });
  return { token, path: linkPath("invite", token), link };
}

/** A password-reset link for an enabled user; an earlier unused one stops working. */
export async function createPasswordResetLink({ userId, actorId }: { userId: string; actorId: string }): Promise<{ token: string; path: string; link: AccountLink }> {
  const token = newToken();
  const link = await db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, userId)).for("update");
    if (!user) throw new AppError("not_found:user", "No such user.");
    if (user.disabledAt) throw new AppError("conflict:user_disabled", `${user.email} is disabled; enable the account before sending a reset link.`);
    await revokePending(tx, "password_reset", eq(accountLinks.userId, userId));
    const [row] = await tx
      .insert(accountLinks)
      .values({ kind: "password_reset", tokenHash: hashToken(token), email: user.email, userId, createdBy: actorId, expiresAt: expiry("password_reset") })
      .returning();
    await recordAudit({ tx, actorId, action: "user.reset_link_created", targetType: "user", targetId: userId, details: { linkId: row!.id } });
    return row!;
  });
  return { token, path: linkPath("password_reset", token), link };
}

/** The invitee's half: creates the account with the invite's email and role, and spends the link. */
export async function acceptInvite({ token, input }: { token: string; input: AcceptInviteInput }): Promise<User> {
  const link = await usableLink("invite", token);
  const data = acceptInviteSchema.parse(input);
  const passwordHash = await hashPassword(data.password);
  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email: link.email, name: data.name, role: link.role ?? "labeler", passwordHash })
      .onConflictDoNothing({ target: users.email })
      .returning();
    if (!user) throw new AppError("conflict:link_account_exists", problems.account_exists("invite"));
    if (!(await spend(tx, link, user.id))) throw new AppError("conflict:link_used", problems.used("invite"));
    await recordAudit({ tx, actorId: link.createdBy, action: "user.created", targetType: "user", targetId: user.id, details: { role: user.role, via: "invite", inviteId: link.id } });
    await recordAudit({ tx, actorId: user.id, action: "invite.accepted", targetType: "invite", targetId: link.id, details: { email: user.email } });
    return user;
  });
}

/** The user's half of a reset: sets the new password and spends the link. */
export async function resetPasswordWithLink({ token, input }: { token: string; input: ResetPasswordInput }): Promise<User> {
  const link = await usableLink("password_reset", token);
  const data = resetPasswordSchema.parse(input);
  const passwordHash = await hashPassword(data.password);
  const user = await db.transaction(async (tx) => {
    const [updated] = await tx
      .update(users)
      // Sessions opened with the old password end: the guard refuses those signed in before this.
      .set({ passwordHash, updatedAt: new Date(), sessionsValidAfter: new Date() })
      .where(and(eq(users.id, link.userId!), isNull(users.disabledAt)))
      .returning();
    if (!updated) throw new AppError("conflict:link_account_disabled", problems.account_disabled("password_reset"));
    if (!(await spend(tx, link, updated.id))) throw new AppError("conflict:link_used", problems.used("password_reset"));
    await recordAudit({ tx, actorId: updated.id, action: "user.password_reset", targetType: "user", targetId: updated.id, details: { via: "link", linkId: link.id } });
    return updated;
  });
  // A fresh password: earlier failed guesses no longer hold the account back.
  await clearSigninFailures({ email: user.email });
  return user;
}

export type PendingLink = Pick<AccountLink, "id" | "kind" | "email" | "role" | "createdAt" | "expiresAt"> & { createdBy: string | null };

/** Links not yet used, withdrawn or expired, newest first. */
export async function listPendingLinks(): Promise<PendingLink[]> {
  const creator = alias(users, "creator");
  return db
    .select({
      id: accountLinks.id,
      kind: accountLinks.kind,
      email: accountLinks.email,
      role: accountLinks.role,
      createdAt: accountLinks.createdAt,
      expiresAt: accountLinks.expiresAt,
      createdBy: creator.email,
    })
    .from(accountLinks)
    .leftJoin(creator, eq(creator.id, accountLinks.createdBy))
    .where(and(isNull(accountLinks.usedAt), isNull(accountLinks.revokedAt), gt(accountLinks.expiresAt, sql`now()`)))
    .orderBy(desc(accountLinks.createdAt), desc(accountLinks.id));
}

/** Withdraws a pending link; it then answers "withdrawn" to whoever opens it. */
export async function revokeAccountLink({ linkId, actorId }: { linkId: string; actorId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(accountLinks)
      .set({ revokedAt: new Date() })
      .where(and(eq(accountLinks.id, linkId), isNull(accountLinks.usedAt), isNull(accountLinks.revokedAt)))
      .returning();
    if (!row) throw new AppError("not_found:link", "No such pending link.");
    await recordAudit({
      tx,
      actorId,
      action: row.kind === "invite" ? "invite.revoked" : "user.reset_link_revoked",
      targetType: row.kind === "invite" ? "invite" : "user",
      targetId: row.kind === "invite" ? row.id : row.userId!,
      details: { email: row.email },
    });
  });
}
