/**
 * The one database client. Only lib/ data-access modules, db/ scripts and the trainer's
 * job layer import it.
 *
 * It survives a PostgreSQL restart under load, which postgres.js 3.4.9 alone does not: when
 * a connection dies inside a transaction, sql.begin() writes its ROLLBACK to the dead socket,
 * which throws from a timer (an uncaught exception: a crash outside Next.js) or leaves the
 * connection unable to send anything again (porsager/postgres#1208). Under
 * `npm run bench:labeling-load -- --restart-postgres-at …` the web app answered no request
 * after the restart without the two guards below (docs/reliability.md).
 */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { databaseUrl } from "@/lib/env";
import { isDatabaseUnavailable } from "./errors";
import * as schema from "./schema";

export type Database = ReturnType<typeof createDatabase>["db"];

/** How long a transaction that lost its connection waits for begin() to notice the close. */
const LOST_CONNECTION_GRACE_MS = 5000;

/**
 * sql.begin(), except that a transaction whose connection was lost sends no ROLLBACK: the
 * server rolls back a transaction whose connection ended, and begin() rejects as soon as
 * postgres.js sees the close. Should the connection still be open after the grace period,
 * the error is rethrown and the ROLLBACK goes out as usual.
 */
function skipRollbackOnLostConnection(sql: postgres.Sql): void {
  const begin = sql.begin.bind(sql) as (...args: unknown[]) => Promise<unknown>;
  const guarded = (...args: unknown[]) => {
    const fn = args.pop() as (tx: postgres.TransactionSql) => unknown;
    let settled = false;
    let wake = () => {};
    const run = begin(...args, async (tx: postgres.TransactionSql) => {
      try {
        const x = fn(tx);
        return await (Array.isArray(x) ? Promise.all(x) : x);
      } catch (err) {
        if (!isDatabaseUnavailable(err)) throw err;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, LOST_CONNECTION_GRACE_MS).unref();
        });
        // The connection is gone and begin() has already rejected: leave this scope pending
        // (nothing waits on it) rather than write a ROLLBACK to a dead socket.
        if (settled) return new Promise(() => {});
        throw err;
      }
    });
    const done = () => {
      settled = true;
      wake();
    };
    run.then(done, done);
    return run;
  };
  sql.begin = guarded as typeof sql.begin;
}

export function createDatabase(url: string, options: { max?: number; onConnectionClosed?: () => void } = {}) {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // The process-wide client has no idle timeout and no lifetime: postgres.js calls onclose for
    // every closed connection, a planned one too, so its connections must close only when
    // something went wrong (server restart, network cut, backend killed), and that replaces the
    // pool. With a lifetime, the pool was dropped every 30 minutes and long queries cut off.
    // (A key present with the value undefined turns the timer off; an absent one gets postgres.js's default.)
    idle_timeout: options.onConnectionClosed ? undefined : 30,
    max_lifetime: options.onConnectionClosed ? undefined : 60 * 30,
    connect_timeout: 10,
    onclose: options.onConnectionClosed,
  });
  skipRollbackOnLostConnection(sql);
  return { sql, db: drizzle(sql, { schema }) };
}

type Client = ReturnType<typeof createDatabase>;
const globalForDb = globalThis as unknown as { pairwiseDb?: Client };

/**
 * A pool that lost a connection is dropped and the next query gets a fresh one, so no
 * connection left in a bad state by the close (see above) is used again. Queries already
 * running on the old pool finish or fail; it is ended in the background.
 */
function replaceLostPool(lost: Client): void {
  if (globalForDb.pairwiseDb !== lost) return; // already replaced, or being closed
  globalForDb.pairwiseDb = undefined;
  lost.sql.end({ timeout: 10 }).catch(() => {});
}

/** The process-wide client, created on first use (kept across hot reloads in development). */
function client(): Client {
  if (!globalForDb.pairwiseDb) {
    const created: Client = createDatabase(databaseUrl(), { onConnectionClosed: () => replaceLostPool(created) });
    globalForDb.pairwiseDb = created;
  }
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
