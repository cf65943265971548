import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { accountLinks, auditEvents, signinFailures, users } from "@/db/schema";
import { verifyPassword } from "@/lib/auth/password";
import { sha256 } from "@/lib/hash";
import { makeUser } from "@/lib/testing/fixtures";
import {
  acceptInvite,
  createInvite,
  createPasswordResetLink,
  inspectAccountLink,
  linkProblem,
  listPendingLinks,
  resetPasswordWithLink,
  revokeAccountLink,
} from "./account-links";
import { updateUser } from "./users";

const email = () => `invitee-${randomUUID()}@test.local`;
const newPassword = { password: "a-fresh-password", confirmPassword: "a-fresh-password" };

async function actionsOn(targetId: string) {
  const rows = await db.select({ action: auditEvents.action, actorId: auditEvents.actorId }).from(auditEvents).where(eq(auditEvents.targetId, targetId)).orderBy(auditEvents.id);
  return rows;
}

describe("invites", () => {
  it("creates the account once with the invited role, stores only the token's hash, and audits each step", async () => {
    const admin = await makeUser("admin");
    const address = email();
    const { token, path, link } = await createInvite({ input: { email: address.toUpperCase(), role: "researcher" }, actorId: admin.id });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    expect(path).toBe(`/invite/${token}`);
    const [stored] = await db.select().from(accountLinks).where(eq(accountLinks.id, link.id));
    expect(stored).toMatchObject({ kind: "invite", email: address, role: "researcher", tokenHash: sha256(token), usedAt: null });
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored!.expiresAt.getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600_000);
    expect(await inspectAccountLink({ kind: "invite", token })).toMatchObject({ state: "valid", email: address, role: "researcher" });
    // An invite token does not open the reset page.
    expect(await inspectAccountLink({ kind: "password_reset", token })).toMatchObject({ state: "unknown" });

    const user = await acceptInvite({ token, input: { name: " Ada ", ...newPassword } });
    expect(user).toMatchObject({ email: address, name: "Ada", role: "researcher", disabledAt: null });
    expect(await verifyPassword(user.passwordHash!, newPassword.password)).toBe(true);

    const again = acceptInvite({ token, input: { name: "Eve", password: "another-password", confirmPassword: "another-password" } });
    await expect(again).rejects.toMatchObject({ code: "conflict:link_used", status: 409, message: expect.stringMatching(/already been used/) });
    const used = await inspectAccountLink({ kind: "invite", token });
    expect(used.state).toBe("used");
    expect(linkProblem(used)).toMatch(/already been used/);
    expect(await db.select({ id: users.id }).from(users).where(eq(users.email, address))).toHaveLength(1);

    expect(await actionsOn(link.id)).toEqual([
      { action: "invite.created", actorId: admin.id },
      { action: "invite.accepted", actorId: user.id },
    ]);
    expect(await actionsOn(user.id)).toEqual([{ action: "user.created", actorId: admin.id }]);
  });

  it("answers unknown, malformed, expired and revoked tokens with a message, never an exception", async () => {
    const admin = await makeUser("admin");
    for (const token of ["nope", "x".repeat(43), "../../etc/passwd", ""]) {
      const state = await inspectAccountLink({ kind: "invite", token });
      expect(state.state).toBe("unknown");
      expect(linkProblem(state)).toMatch(/not valid/);
      await expect(acceptInvite({ token, input: { name: "X", ...newPassword } })).rejects.toMatchObject({ code: "not_found:link", status: 404 });
    }

    const expired = await createInvite({ input: { email: email() }, actorId: admin.id });
    await db.update(accountLinks).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(accountLinks.id, expired.link.id));
    expect(linkProblem(await inspectAccountLink({ kind: "invite", token: expired.token }))).toMatch(/expired on \d{4}-\d\d-\d\d/);
    await expect(acceptInvite({ token: expired.token, input: { name: "X", ...newPassword } })).rejects.toMatchObject({ code: "conflict:link_expired" });

    // A second invite to the same address replaces the first; an admin can withdraw one too.
    const address = email();
    const first = await createInvite({ input: { email: address }, actorId: admin.id });
    const second = await createInvite({ input: { email: address, role: "admin" }, actorId: admin.id });
    expect((await inspectAccountLink({ kind: "invite", token: first.token })).state).toBe("revoked");
    expect((await listPendingLinks()).filter((l) => l.email === address)).toEqual([expect.objectContaining({ id: second.link.id, role: "admin", createdBy: admin.email })]);
    await revokeAccountLink({ linkId: second.link.id, actorId: admin.id });
    expect((await inspectAccountLink({ kind: "invite", token: second.token })).state).toBe("revoked");
    await expect(acceptInvite({ token: second.token, input: { name: "X", ...newPassword } })).rejects.toMatchObject({ code: "conflict:link_revoked" });
    await expect(revokeAccountLink({ linkId: second.link.id, actorId: admin.id })).rejects.toMatchObject({ status: 404 });
    expect((await listPendingLinks()).filter((l) => l.email === address)).toEqual([]);
    expect(await db.select({ id: users.id }).from(users).where(eq(users.email, address))).toEqual([]);
  });

  it("refuses an invite to an existing address, mismatched passwords, and a double spend under concurrency", async () => {
    const admin = await makeUser("admin");
    const existing = await makeUser("labeler");
    await expect(createInvite({ input: { email: existing.email }, actorId: admin.id })).rejects.toMatchObject({ code: "conflict:user_email" });

    const { token } = await createInvite({ input: { email: email() }, actorId: admin.id });
    await expect(acceptInvite({ token, input: { name: "X", password: "a-fresh-password", confirmPassword: "a-different-one" } })).rejects.toThrow(/differ/);
    await expect(acceptInvite({ token, input: { name: "", ...newPassword } })).rejects.toThrow(/Enter your name/);
    expect((await inspectAccountLink({ kind: "invite", token })).state).toBe("valid");

    const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => acceptInvite({ token, input: { name: `racer ${i}`, ...newPassword } })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.status)).toEqual([409, 409, 409]);
  });
});

describe("password reset links", () => {
  it("sets a new password once, replaces an older link, clears failed sign-ins, and is audited", async () => {
    const admin = await makeUser("admin");
    const user = await makeUser("labeler", "the-old-password");
    const older = await createPasswordResetLink({ userId: user.id, actorId: admin.id });
    const { token, path } = await createPasswordResetLink({ userId: user.id, actorId: admin.id });
    expect(path).toBe(`/reset-password/${token}`);
    expect((await inspectAccountLink({ kind: "password_reset", token: older.token })).state).toBe("revoked");
    expect(await inspectAccountLink({ kind: "password_reset", token })).toMatchObject({ state: "valid", email: user.email, role: null });
    await db.insert(signinFailures).values({ email: user.email, ip: "203.0.113.9" });

    const after = await resetPasswordWithLink({ token, input: newPassword });
    expect(await verifyPassword(after.passwordHash!, newPassword.password)).toBe(true);
    expect(await verifyPassword(after.passwordHash!, "the-old-password")).toBe(false);
    expect(await db.select().from(signinFailures).where(eq(signinFailures.email, user.email))).toEqual([]);
    await expect(resetPasswordWithLink({ token, input: { password: "third-password", confirmPassword: "third-password" } })).rejects.toMatchObject({ code: "conflict:link_used" });

    const events = await db
      .select({ action: auditEvents.action, actorId: auditEvents.actorId })
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, user.id), inArray(auditEvents.action, ["user.reset_link_created", "user.password_reset"])))
      .orderBy(auditEvents.id);
    expect(events).toEqual([
      { action: "user.reset_link_created", actorId: admin.id },
      { action: "user.reset_link_created", actorId: admin.id },
      { action: "user.password_reset", actorId: user.id },
    ]);
  });

  it("does not work for a disabled account", async () => {
    const admin = await makeUser("admin");
    const user = await makeUser("labeler");
    const { token } = await createPasswordResetLink({ userId: user.id, actorId: admin.id });
    await updateUser({ userId: user.id, input: { disabled: true }, actorId: admin.id });
    expect(linkProblem(await inspectAccountLink({ kind: "password_reset", token }))).toMatch(/disabled/);
    await expect(resetPasswordWithLink({ token, input: newPassword })).rejects.toMatchObject({ code: "conflict:link_account_disabled" });
    await expect(createPasswordResetLink({ userId: user.id, actorId: admin.id })).rejects.toMatchObject({ code: "conflict:user_disabled" });
    await expect(createPasswordResetLink({ userId: randomUUID(), actorId: admin.id })).rejects.toMatchObject({ status: 404 });
  });
});
