/**
 * Restores a backup folder into a database (created when missing) and a checkpoint
 * folder. Both must be empty unless `force`, which replaces the database's public and
 * drizzle schemas and unpacks the checkpoints over what is there. Row counts are checked
 * against the manifest afterwards.
 */
import "server-only";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";
import { runMigrations, shippedMigrationCount } from "@/db/migrate";
import { databaseName, withDatabase } from "@/db/urls";
import { countTableRows, listAppliedMigrations, runTool } from "./backup";
import { readManifest, type Manifest } from "./manifest";
import { findPgTool, libpqConnection, readServerMajor } from "./pg-tools";

type Sql = postgres.Sql;

/** Connects, creating the database first (from the server's `postgres` database) when it does not exist. */
async function connectCreating(url: string, log: (msg: string) => void): Promise<Sql> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select 1`;
    return sql;
  } catch (err) {
    await sql.end({ timeout: 5 });
    if ((err as { code?: string }).code !== "3D000") throw err;
  }
  const name = databaseName(url);
  const server = postgres(withDatabase(url, "postgres"), { max: 1, onnotice: () => {} });
  try {
    log(`Creating database ${name} ...`);
    await server`create database ${server(name)}`;
  } finally {
    await server.end({ timeout: 5 });
  }
  return postgres(url, { max: 1, onnotice: () => {} });
}

async function userTables(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    select table_schema || '.' || table_name as name from information_schema.tables
    where table_schema not in ('pg_catalog', 'information_schema') order by 1`;
  return rows.map((r) => r.name);
}

/** Tables in an order where every foreign key points at a table loaded earlier (self-references aside). */
async function loadOrder(sql: Sql, tables: string[]): Promise<string[]> {
  const edges = await sql<{ child: string; parent: string }[]>`
    select child.relname as child, parent.relname as parent
    from pg_constraint c
    join pg_class child on child.oid = c.conrelid
    join pg_class parent on parent.oid = c.confrelid
    join pg_namespace n on n.oid = c.connamespace
    where c.contype = 'f' and n.nspname = 'public'`;
  const order: string[] = [];
  const pending = new Set(tables);
  while (pending.size) {
    const ready = [...pending].filter((t) => edges.every((e) => e.child !== t || e.parent === t || !pending.has(e.parent)));
    if (ready.length === 0) throw new Error(`Foreign keys form a cycle among ${[...pending].join(", ")}; restore this backup with pg_dump's format instead.`);
    for (const t of ready.sort()) {
      order.push(t);
      pending.delete(t);
    }
  }
  return order;
}

async function restoreCopyFiles(sql: Sql, url: string, dir: string, manifest: Manifest, log: (msg: string) => void): Promise<void> {
  // The schema comes from this build's migrations, so they must be the backup's.
  const shippedCount = shippedMigrationCount();
  if (shippedCount !== manifest.database.migrations.length) {
    throw new Error(`The backup was taken at migration ${manifest.database.migrations.length} and this build ships ${shippedCount}. Restore it with the Pairwise version that made it.`);
  }
  log("Creating the schema (migrations) ...");
  await runMigrations(url);
  const migrations = await listAppliedMigrations({ sql });
  if (migrations.join() !== manifest.database.migrations.join()) throw new Error("This build's migrations differ from the backup's. Restore it with the Pairwise version that made it.");

  const columns = manifest.database.columns ?? {};
  const order = await loadOrder(sql, Object.keys(columns));
  log(`Loading ${order.length} tables ...`);
  // One transaction: a failure leaves the tables empty rather than half loaded. Foreign keys are
  // checked at the end of each COPY, so rows of a self-referencing table may come in any order.
  // The tables' own triggers stay off while loading, as pg_restore creates them after the data:
  // the backup holds the campaign quality rows they kept (migration 0014), and firing them on
  // the loaded judgments and pairs would count each one a second time.
  await sql.begin(async (tx) => {
    for (const table of order) await tx`alter table ${tx(table)} disable trigger user`;
    for (const table of order) {
      const writable = await tx`copy ${tx(table)} (${tx(columns[table]!)}) from stdin`.writable();
      await pipeline(createReadStream(path.join(dir, "tables", `${table}.copy`)), writable);
    }
    for (const table of order) await tx`alter table ${tx(table)} enable trigger user`;
  });
}

async function restoreDump(sql: Sql, url: string, dir: string, manifest: Manifest, pgRestore: string | undefined, log: (msg: string) => void): Promise<void> {
  const major = await readServerMajor({ sql });
  const { tool, found } = findPgTool({ tool: "pg_restore", serverMajor: major, minMajor: manifest.database.pgDumpMajor ?? major, explicit: pgRestore });
  if (!tool) {
    const seen = found.map((f) => `${f.major} (${f.path})`).join(", ") || "none";
    throw new Error(`The dump was written by pg_dump ${manifest.database.pgDumpMajor}; no pg_restore of that version or newer here (found: ${seen}). Pass --pg-restore PATH.`);
  }
  log(`Restoring with ${tool.path} (PostgreSQL ${tool.major}; server ${major}) ...`);
  const conn = libpqConnection(url);
  await runTool({ bin: tool.path, args: ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname", conn.dbname, path.join(dir, "database.dump")], env: conn.env });
}

export async function restoreBackup({
  backupDir,
  url,
  checkpointDir,
  force = false,
  pgRestore,
  log = () => {},
}: {
  backupDir: string;
  url: string;
  checkpointDir: string;
  force?: boolean;
  pgRestore?: string;
  log?: (msg: string) => void;
}): Promise<{ manifest: Manifest; rowCounts: Record<string, number> }> {
  const manifest = await readManifest(backupDir);
  const restoreCheckpoints = manifest.checkpoints !== null;
  if (restoreCheckpoints && existsSync(checkpointDir) && (await readdir(checkpointDir)).length > 0 && !force) {
    throw new Error(`The checkpoint folder ${checkpointDir} is not empty. Restore into an empty one (--checkpoint-dir), or pass --force to unpack over it.`);
  }

  const sql = await connectCreating(url, log);
  try {
    const existing = await userTables(sql);
    if (existing.length > 0) {
      if (!force) {
        throw new Error(`The target database is not empty (${existing.length} tables: ${existing.slice(0, 5).join(", ")}${existing.length > 5 ? ", …" : ""}). Restore into an empty database, or pass --force to replace its contents.`);
      }
      log("Dropping the target's public and drizzle schemas (--force) ...");
      await sql.unsafe("drop schema if exists drizzle cascade; drop schema if exists public cascade; create schema public;");
      const left = await userTables(sql);
      if (left.length) throw new Error(`The target still holds tables outside Pairwise's schemas (${left.slice(0, 5).join(", ")}); use another database.`);
    }

    if (manifest.database.method === "pg_dump") await restoreDump(sql, url, backupDir, manifest, pgRestore, log);
    else await restoreCopyFiles(sql, url, backupDir, manifest, log);

    const rowCounts = await countTableRows({ sql });
    const differ = Object.keys({ ...manifest.database.rowCounts, ...rowCounts }).filter((t) => manifest.database.rowCounts[t] !== rowCounts[t]);
    if (differ.length) {
      throw new Error(`Restored row counts differ from the backup's for ${differ.map((t) => `${t} (${rowCounts[t] ?? "missing"} vs ${manifest.database.rowCounts[t] ?? "missing"})`).join(", ")}.`);
    }

    if (restoreCheckpoints) {
      log(`Unpacking checkpoints into ${checkpointDir} ...`);
      await mkdir(checkpointDir, { recursive: true });
      await runTool({ bin: "tar", args: ["-C", checkpointDir, "-xf", path.join(backupDir, "checkpoints.tar")] });
    }
    return { manifest, rowCounts };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
