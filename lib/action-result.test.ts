import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { DATABASE_UNAVAILABLE_MESSAGE } from "@/db/errors";
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
