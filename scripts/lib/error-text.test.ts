import { describe, expect, it } from "vitest";
import { errorText } from "./error-text";

describe("errorText", () => {
  it("prints the message, then each cause with its name", () => {
    const pg = Object.assign(new Error('relation "checkpoints" does not exist'), { name: "PostgresError" });
    const failed = new Error("Failed query: insert into checkpoints", { cause: pg });
    expect(errorText(new Error("Seeding failed", { cause: failed }))).toBe(
      ['Seeding failed', "  caused by: Error: Failed query: insert into checkpoints", '  caused by: PostgresError: relation "checkpoints" does not exist'].join("\n"),
    );
  });

  it("takes a thrown non-error, cuts a long message and stops at a cause that loops", () => {
    expect(errorText("plain text")).toBe("plain text");
    const long = new Error("x".repeat(1500));
    expect(errorText(long)).toBe(`${"x".repeat(1000)}…`);
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(errorText(a)).toBe("a\n  caused by: Error: b");
  });
});
