import { describe, expect, it } from "vitest";
import { plainArg } from "./action-result";

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
