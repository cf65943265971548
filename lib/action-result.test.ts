import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { DATABASE_UNAVAILABLE_MESSAGE } from "@/db/errors";
import { z } from "@/lib/api/zod";
import { AppError } from "@/lib/errors";
import { actionResult, plainArg } from "./action-result";

describe("actionResult", () => {
  it("tells the form the database is unreachable, not that something went wrong, when a query cannot connect", async () => {
    // port 1 on this host: nothing listens, so the connection is refused for real
    const down = postgres("postgres://postgres@127.0.0.1:1/none", { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      expect(await actionResult(async () => down`select 1`)).toEqual({ ok: false, error: DATABASE_UNAVAILABLE_MESSAGE });
    } finally {
      await down.end({ timeout: 0 });
    }
    expect(await actionResult(async () => Promise.reject(new Error("boom")))).toEqual({ ok: false, error: "Something went wrong on our side. Try again." });
  });
});

describe("actionResult with a schema's refusal", () => {
  it("names the field in words for zod's own messages and keeps a schema's own sentence as it is", async () => {
    const schema = z.object({
      name: z.string().min(1, "Give the campaign a name."),
      overlap: z.number().int().min(1),
      settings: z.object({ goldRate: z.number().max(0.5), ordering: z.enum(["finish-first", "spread"]) }),
      owner: z.uuid(),
    });
    const result = await actionResult(async () => schema.parse({ name: "", overlap: 0, settings: { goldRate: 2, ordering: "random" }, owner: "x" }));
    expect(result).toEqual({
      ok: false,
      error: 'Give the campaign a name. Overlap: must be at least 1. Gold rate: must be at most 0.5. Ordering: must be one of "finish-first", "spread". Owner: must be a UUID.',
      fieldErrors: {
        name: "Give the campaign a name.",
        overlap: "Overlap: must be at least 1.",
        settings: 'Gold rate: must be at most 0.5. Ordering: must be one of "finish-first", "spread".',
        goldRate: "Gold rate: must be at most 0.5.",
        ordering: 'Ordering: must be one of "finish-first", "spread".',
        owner: "Owner: must be a UUID.",
      },
    });
    expect(await actionResult(async () => z.object({ title: z.string().max(3) }).parse({ title: "long" }))).toEqual({
      ok: false,
      error: "Title: must be at most 3 characters.",
      fieldErrors: { title: "Title: must be at most 3 characters." },
    });
    expect(await actionResult(async () => z.object({ title: z.string() }).parse({}))).toEqual({ ok: false, error: "Title: is required.", fieldErrors: { title: "Title: is required." } });
  });

  it("marks the field an error code names, and none for a code without a subject", async () => {
    expect(await actionResult(async () => Promise.reject(new AppError("bad_request:config", 'unknown option "epoch"')))).toEqual({
      ok: false,
      error: 'unknown option "epoch"',
      fieldErrors: { config: 'unknown option "epoch"' },
    });
    const plain = await actionResult(async () => Promise.reject(new AppError("forbidden", "No.")));
    expect(plain).toEqual({ ok: false, error: "No." });
    expect(plain).not.toHaveProperty("fieldErrors.forbidden");
  });
});

describe("plainArg", () => {
  it("passes storable values through unchanged", () => {
    const value = { name: "Ada 𢦫", nested: [{ note: "ok" }] };
    expect(plainArg(value)).toBe(value);
  });

  it("refuses a NUL character with a message that names the field (the fuzz counterexample for updateUserAction)", () => {
    expect(() => plainArg({ name: "\u0000oto__", role: "researcher" })).toThrow(/"name" holds a NUL character/);
    expect(() => plainArg({ rows: [{ prompt: "a" }, { prompt: "\ud800" }] })).toThrow(/"rows\.1\.prompt"/);
  });
});
