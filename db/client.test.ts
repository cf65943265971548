import { sql } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { databaseUrl } from "@/lib/env";
import { createDatabase, db } from "./client";
import { isDatabaseUnavailable } from "./errors";

describe("the process-wide client", () => {
  it("replaces a pool whose connections were cut mid-transaction, so the next queries work at once", async () => {
    const admin = postgres(databaseUrl(), { max: 1, onnotice: () => {} });
    const parked = sql`select pg_sleep(29.25)`;
    // Every connection of the pool (10) inside a transaction, as under load when a server restarts.
    const inFlight = Array.from({ length: 10 }, () =>
      db.transaction(async (tx) => {
        await tx.execute(parked);
      }).then(
        () => null,
        (err: unknown) => err,
      ),
    );
    const sleeping = () => admin<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and query = 'select pg_sleep(29.25)'`;
    for (let i = 0; i < 100 && (await sleeping())[0]!.n < 10; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await sleeping())[0]!.n).toBe(10);
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query = 'select pg_sleep(29.25)'`;
    const errors = await Promise.all(inFlight);
    expect(errors.every((e) => isDatabaseUnavailable(e))).toBe(true);

    // postgres.js alone would hand these to the broken connections: each waits out the connect timeout (10 s) and fails.
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 20 }, () => db.execute<{ one: number }>(sql`select 1 as one`)));
    expect(results.map((r) => r[0]!.one)).toEqual(Array(20).fill(1));
    expect(performance.now() - started).toBeLessThan(3000);
    await admin.end({ timeout: 1 });
  }, 60_000);

  it("never closes its own connections: postgres.js reports a planned close (idle, lifetime) like a lost one, which would replace the pool", async () => {
    const timers = (c: ReturnType<typeof createDatabase>) => {
      const o = c.sql.options as unknown as { idle_timeout?: number; max_lifetime?: number | (() => number) };
      return { idle: o.idle_timeout, lifetime: o.max_lifetime };
    };
    const processWide = createDatabase(databaseUrl(), { onConnectionClosed: () => {} });
    const plain = createDatabase(databaseUrl());
    expect(timers(processWide)).toEqual({ idle: undefined, lifetime: undefined });
    expect(timers(plain)).toEqual({ idle: 30, lifetime: 1800 });
    await Promise.all([processWide.sql.end(), plain.sql.end()]);
  });
});
