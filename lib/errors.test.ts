import { describe, expect, it } from "vitest";
import { AppError } from "./errors";

describe("AppError", () => {
  it("maps the code's kind to its HTTP status", () => {
    expect(new AppError("forbidden:export", "no").status).toBe(403);
    expect(new AppError("not_found", "no").status).toBe(404);
    expect(new AppError("rate_limited:signin", "slow down").status).toBe(429);
    expect(new AppError("conflict:user_email", "taken").kind).toBe("conflict");
  });
});
