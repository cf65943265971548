import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { listAuditEvents } from "@/lib/audit/audit";
import { verifyPassword } from "@/lib/auth/password";
import { AppError } from "@/lib/errors";
import { makeUser } from "@/lib/testing/fixtures";
import { createUser, findUserByEmail, updateUser } from "./users";

describe("users", () => {
  it("stores the email lower-cased and the password as an argon2id hash", async () => {
    const user = await createUser({ input: { email: "  Mixed.Case@Test.Local ", role: "researcher", password: "long-enough-password" }, actorId: null });
    expect(user.email).toBe("mixed.case@test.local");
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(user.passwordHash!, "long-enough-password")).toBe(true);
    expect(await verifyPassword(user.passwordHash!, "wrong-password")).toBe(false);
    expect((await findUserByEmail({ email: "MIXED.case@test.local" }))?.id).toBe(user.id);
  });

  it("refuses a second user with the same email", async () => {
    const user = await makeUser();
    await expect(createUser({ input: { email: user.email, password: "another-password" }, actorId: null })).rejects.toMatchObject({
      code: "conflict:user_email",
      status: 409,
    });
  });

  it("refuses short passwords with a readable message", async () => {
    await expect(createUser({ input: { email: "short@test.local", password: "short" }, actorId: null })).rejects.toThrow(
      /at least 10 characters/,
    );
  });

  it("disables, re-enables and changes roles, recording each in the audit log", async () => {
    const admin = await makeUser("admin");
    const user = await makeUser("labeler");
    const disabled = await updateUser({ userId: user.id, input: { disabled: true, role: "researcher" }, actorId: admin.id });
    expect(disabled.disabledAt).toBeInstanceOf(Date);
    expect(disabled.role).toBe("researcher");
    const enabled = await updateUser({ userId: user.id, input: { disabled: false }, actorId: admin.id });
    expect(enabled.disabledAt).toBeNull();
    const events = await db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, user.id), eq(auditEvents.actorId, admin.id)));
    expect(events.map((e) => e.action).sort()).toEqual(["user.disabled", "user.enabled", "user.role_changed"]);
    const listed = await listAuditEvents({ action: "user.disabled" });
    expect(listed.find((e) => e.targetId === user.id)).toMatchObject({ actor: admin.email, targetType: "user" });
    expect(listed.every((e) => e.action === "user.disabled")).toBe(true);
  });

  it("does not let an admin lock themselves out", async () => {
    const admin = await makeUser("admin");
    const attempt = updateUser({ userId: admin.id, input: { disabled: true }, actorId: admin.id });
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ code: "conflict:self_lockout" });
  });

  it("lets only one of two admins who demote or disable each other at the same moment do it, so an admin is left", async () => {
    for (const change of [{ role: "labeler" }, { disabled: true }] as const) {
      const [a, b] = [await makeUser("admin"), await makeUser("admin")];
      const results = await Promise.allSettled([
        updateUser({ userId: b.id, input: change, actorId: a.id }),
        updateUser({ userId: a.id, input: change, actorId: b.id }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
      expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: { code: "forbidden", status: 403 } });
      const after = await Promise.all([a, b].map((u) => findUserByEmail({ email: u.email })));
      expect(after.filter((u) => u!.role === "admin" && u!.disabledAt === null)).toHaveLength(1);
    }
  });
});
