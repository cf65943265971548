import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { apiRoute } from "./handler";

const request = () => new Request("http://localhost/api/v1/judgments", { method: "POST" });

describe("apiRoute", () => {
  it("answers 503 unavailable:database with Retry-After when the database cannot be reached", async () => {
    // The shape drizzle gives a failed query: its own error, postgres.js's as the cause.
    const wrapped = Object.assign(new Error("Failed query: select 1"), { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }) });
    const res = await apiRoute(async () => {
      throw wrapped;
    })(request(), {});
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("unavailable:database");
    expect(body.error.message).not.toMatch(/ECONNREFUSED|5432/);
  });

  it("keeps 500 for other failures and the AppError's own status", async () => {
    const crash = await apiRoute(async () => {
      throw new Error("boom");
    })(request(), {});
    expect(crash.status).toBe(500);
    const conflict = await apiRoute(async () => {
      throw new AppError("conflict:lease_expired", "expired");
    })(request(), {});
    expect(conflict.status).toBe(409);
  });
});
