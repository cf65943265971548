import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { makeUser } from "@/lib/testing/fixtures";
import { auditActors, listAuditEvents } from "./audit";
import { auditFilterSchema } from "./schema";

describe("audit log filters", () => {
  it("narrows by action, actor (part of the email, any case, or system) and an inclusive UTC day range", async () => {
    const [alice, bob] = await Promise.all([makeUser("admin"), makeUser("researcher")]);
    // Actions unique to this test, so other tests' events never match; dated in 2101 so they are
    // the newest and never fall past the list's limit behind the rest of the suite's events.
    const tag = randomUUID().slice(0, 8);
    const create = `test.create.${tag}`;
    const remove = `test.remove.${tag}`;
    const rows = [
      { key: "a1", actorId: alice.id, action: create, at: "2101-03-01T00:00:00Z" },
      { key: "a2", actorId: alice.id, action: remove, at: "2101-03-02T23:59:59Z" },
      { key: "b1", actorId: bob.id, action: create, at: "2101-03-03T00:00:00Z" },
      { key: "s1", actorId: null, action: create, at: "2101-03-02T12:00:00Z" },
    ];
    await db.insert(auditEvents).values(rows.map((r) => ({ actorId: r.actorId, action: r.action, targetId: r.key, at: new Date(r.at) })));
    const keys = async (filter: Parameters<typeof listAuditEvents>[0]) =>
      (await listAuditEvents(filter)).filter((e) => e.action.endsWith(tag)).map((e) => e.targetId);

    // Newest first; the actor's email comes along.
    expect(await keys({})).toEqual(["b1", "a2", "s1", "a1"]);
    expect((await listAuditEvents({ action: remove }))).toEqual([expect.objectContaining({ targetId: "a2", actor: alice.email })]);
    expect(await keys({ action: create })).toEqual(["b1", "s1", "a1"]);
    expect(await keys({ actor: alice.email.toUpperCase() })).toEqual(["a2", "a1"]);
    expect(await keys({ actor: alice.email.slice(0, 12) })).toEqual(["a2", "a1"]);
    expect(await keys({ actor: "system", action: create })).toEqual(["s1"]);
    // `to` includes its whole day; `from` starts at midnight UTC.
    expect(await keys({ from: "2101-03-02", to: "2101-03-02" })).toEqual(["a2", "s1"]);
    expect(await keys({ from: "2101-03-02" })).toEqual(["b1", "a2", "s1"]);
    expect(await keys({ to: "2101-03-01" })).toEqual(["a1"]);
    expect(await keys({ action: create, actor: bob.email, from: "2101-03-01", to: "2101-03-03" })).toEqual(["b1"]);
    expect(await keys({ action: create, actor: alice.email, from: "2101-03-02" })).toEqual([]);
    // LIKE wildcards in the actor text are taken literally.
    expect(await keys({ actor: "%" })).toEqual([]);
    expect(await auditActors()).toEqual(expect.arrayContaining([alice.email, bob.email]));
  });

  it("names a user change's target by email (user.disabled's details name no one), other targets by id", async () => {
    const [admin, labeler] = await Promise.all([makeUser("admin"), makeUser("labeler")]);
    const action = `test.user_disabled.${randomUUID().slice(0, 8)}`;
    await db.insert(auditEvents).values([
      { actorId: admin.id, action, targetType: "user", targetId: labeler.id, at: new Date("2101-04-01T00:00:00Z") },
      { actorId: admin.id, action, targetType: "snapshot", targetId: labeler.id, at: new Date("2101-04-01T00:00:01Z") },
    ]);
    expect((await listAuditEvents({ action })).map((e) => [e.targetType, e.targetEmail])).toEqual([
      ["snapshot", null],
      ["user", labeler.email],
    ]);
  });

  it("reads filters from URL search params, dropping malformed values instead of failing", () => {
    expect(auditFilterSchema.parse({ action: "user.disabled", actor: " admin@pairwise.local ", from: "2026-01-01", to: "2026-01-31" })).toEqual({
      action: "user.disabled",
      actor: "admin@pairwise.local",
      from: "2026-01-01",
      to: "2026-01-31",
    });
    expect(auditFilterSchema.parse({ action: "", actor: ["a", "b"], from: "yesterday", to: "2026-13-45", page: "2" })).toEqual({
      action: undefined,
      actor: undefined,
      from: undefined,
      to: undefined,
    });
  });
});
