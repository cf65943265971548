import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { databaseUrl } from "@/lib/env";
import { isDatabaseUnavailable } from "./errors";

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the query to fail");
}

describe("isDatabaseUnavailable", () => {
  it("is true for a server that refuses connections, through drizzle's wrapper", async () => {
    // Port 1 on loopback: nothing listens there.
    const client = postgres("postgres://nobody@127.0.0.1:1/none", { max: 1, connect_timeout: 2, onnotice: () => {} });
    const err = await errorOf(drizzle(client).execute(sql`select 1`));
    await client.end({ timeout: 1 });
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it("is true for a connection the server terminated (admin_shutdown), false for a bad query", async () => {
    const victim = postgres(databaseUrl(), { max: 1, onnotice: () => {} });
    const killer = postgres(databaseUrl(), { max: 1, onnotice: () => {} });
    const [{ pid }] = await victim<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const slow = errorOf(victim`select pg_sleep(5)`);
    await new Promise((r) => setTimeout(r, 200));
    await killer`select pg_terminate_backend(${pid})`;
    const terminated = await slow;
    expect(isDatabaseUnavailable(terminated)).toBe(true);

    const syntax = await errorOf(killer`select * from no_such_table`);
    expect((syntax as { code?: string }).code).toBe("42P01");
    expect(isDatabaseUnavailable(syntax)).toBe(false);
    expect(isDatabaseUnavailable(new Error("plain"))).toBe(false);
    await Promise.all([victim.end({ timeout: 1 }), killer.end({ timeout: 1 })]);
  });
});
