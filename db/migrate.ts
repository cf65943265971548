import { readFileSync } from "node:fs";
import path from "node:path";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { createDatabase } from "./client";

// npm scripts and `next start` run from the repository root.
export const migrationsFolder = path.join(process.cwd(), "db", "migrations");

/** Any constant: serialises migrations when the web app, a worker and a CLI start together. */
const MIGRATION_LOCK_KEY = 0x7061_6972;

/** Applies every pending migration. */
export async function runMigrations(url: string): Promise<void> {
  const { db, sql } = createDatabase(url, { max: 1 });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migrate(db, { migrationsFolder });
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Number of migrations shipped with this build (from drizzle-kit's journal). */
export function shippedMigrationCount(): number {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/** How many migrations the database at `url` has applied (0 for one never migrated). */
export async function appliedMigrationCount(url: string): Promise<number> {
  const { sql } = createDatabase(url, { max: 1 });
  try {
    const [{ present }] = await sql<{ present: boolean }[]>`select to_regclass('drizzle.__drizzle_migrations') is not null as present`;
    if (!present) return 0;
    return (await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`)[0]!.n;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
