import { afterEach, describe, expect, it, vi } from "vitest";
import { libpqConnection } from "./pg-tools";

afterEach(() => vi.unstubAllEnvs());

describe("the connection handed to pg_dump and pg_restore", () => {
  it("puts the password in PGPASSWORD, not on the command line, and keeps the user's own libpq settings", () => {
    vi.stubEnv("PGSSLMODE", "verify-full");
    const conn = libpqConnection("postgres://alice:p%40ss%20word@db.example:5433/pairwise?application_name=backup");
    expect(conn.dbname).toBe("postgres://alice@db.example:5433/pairwise?application_name=backup");
    expect(conn.env.PGPASSWORD).toBe("p@ss word");
    expect(conn.env.PGSSLMODE).toBe("verify-full");
  });

  it("leaves a PGPASSWORD the user set alone when the URL carries no password", () => {
    vi.stubEnv("PGPASSWORD", "from-the-user");
    const conn = libpqConnection("postgres://alice@db.example/pairwise");
    expect(conn.dbname).toBe("postgres://alice@db.example/pairwise");
    expect(conn.env.PGPASSWORD).toBe("from-the-user");
  });
});
