/**
 * The one database client. Only lib/ data-access modules, db/ scripts and the trainer's
 * job layer import it.
 */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { databaseUrl } from "@/lib/env";
import * as schema from "./schema";

export type Database = ReturnType<typeof createDatabase>["db"];

export function createDatabase(url: string, options: { max?: number } = {}) {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // A restarted server leaves dead sockets in the pool; recycle them rather than hold them.
    idle_timeout: 30,
    max_lifetime: 60 * 30,
    connect_timeout: 10,
  });
  return { sql, db: drizzle(sql, { schema }) };
}

type Client = ReturnType<typeof createDatabase>;
const globalForDb = globalThis as unknown as { pairwiseDb?: Client };

/** The process-wide client, created on first use (kept across hot reloads in development). */
function client(): Client {
  globalForDb.pairwiseDb ??= createDatabase(databaseUrl());
  return globalForDb.pairwiseDb;
}

export const db: Database = new Proxy({} as Database, {
  get: (_target, prop) => Reflect.get(client().db, prop),
});

export async function closeDatabase(): Promise<void> {
  const c = globalForDb.pairwiseDb;
  globalForDb.pairwiseDb = undefined;
  await c?.sql.end({ timeout: 5 });
}
