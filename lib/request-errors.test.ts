import { describe, expect, it } from "vitest";
import { digestOf } from "./error-digest";
import { loggablePath } from "./request-errors";

describe("request error log fields", () => {
  it("logs the path without its query", () => {
    expect(loggablePath("/research/runs/1a2b?compare=3c4d", "/research/runs/[runId]")).toBe("/research/runs/1a2b");
  });

  it("logs an invite or reset link by its route, since its path is the token", () => {
    expect(loggablePath("/invite/pw-secret-token", "/invite/[token]")).toBe("/invite/[token]");
    expect(loggablePath("/reset-password/pw-secret-token?x=1", "/reset-password/[token]")).toBe("/reset-password/[token]");
  });

  it("reads the digest Next put on the error, and nothing from other values", () => {
    expect(digestOf(Object.assign(new Error("boom"), { digest: "2918264386" }))).toBe("2918264386");
    expect(digestOf(new Error("boom"))).toBeNull();
    expect(digestOf("boom")).toBeNull();
    expect(digestOf({ digest: 42 })).toBeNull();
  });
});
