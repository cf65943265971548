/**
 * A backup folder: the database (pg_dump -Fc, or COPY files when no pg_dump fits the
 * server), a tar of the checkpoint store, and backup.json (lib/backup/manifest.ts).
 */
import "server-only";
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import postgres from "postgres";
import { MANIFEST_FILE, sha256File, type Manifest } from "./manifest";
import { findPgTool, libpqConnection, readServerMajor } from "./pg-tools";

export type BackupMethod = "auto" | "pg_dump" | "copy";

type Sql = postgres.Sql;

/** Tables of the public schema, with their rows; the drizzle schema holds only the migration journal. */
export async function countTableRows({ sql }: { sql: Sql }): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }[]>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`;
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(name)}`;
    counts[name] = row!.n;
  }
  return counts;
}

export async function listAppliedMigrations({ sql }: { sql: Sql }): Promise<string[]> {
  const [exists] = await sql<{ t: string | null }[]>`select to_regclass('drizzle.__drizzle_migrations')::text as t`;
  if (!exists?.t) return [];
  return (await sql<{ hash: string }[]>`select hash from drizzle.__drizzle_migrations order by id`).map((r) => r.hash);
}

/** Runs an external tool (pg_dump, pg_restore, tar) to completion; its stderr becomes the error when it fails. */
export function runTool({ bin, args, env }: { bin: string; args: string[]; env?: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on("error", (err) => reject(new Error(`${bin} did not run: ${err.message}`)));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(bin)} failed (exit ${code}): ${stderr.trim()}`))));
  });
}

/**
 * COPY of every public table, in file order of its columns, into tables/<name>.copy. Generated
 * columns (responses.text_length) are left out: the database computes them again on restore,
 * and COPY FROM refuses them.
 */
async function copyTables(tx: Sql, dir: string): Promise<Record<string, string[]>> {
  await mkdir(path.join(dir, "tables"));
  const columns: Record<string, string[]> = {};
  const rows = await tx<{ table: string; column: string }[]>`
    select c.table_name as table, c.column_name as column from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = 'public' and c.is_generated = 'NEVER'
    order by c.table_name, c.ordinal_position`;
  for (const r of rows) (columns[r.table] ??= []).push(r.column);
  for (const [table, cols] of Object.entries(columns)) {
    const stream = await tx`copy ${tx(table)} (${tx(cols)}) to stdout`.readable();
    await drainTo(stream, path.join(dir, "tables", `${table}.copy`));
  }
  return columns;
}

/**
 * Writes a COPY stream to a file. postgres.js pauses its socket whenever the stream's
 * buffer is full and resumes it from the stream's read(); when a table arrives faster
 * than it is read (a whole table in one network chunk, before anyone listens), COPY can
 * end while the socket is paused, and the connection's next query never answers
 * (porsager/postgres#917; here it hung the tests after a few tables). One more read()
 * after the end resumes the socket.
 */
async function drainTo(stream: Readable, file: string): Promise<void> {
  const fd = openSync(file, "w");
  try {
    await new Promise<void>((resolve, reject) => {
      stream.on("data", (chunk: Buffer) => writeSync(fd, chunk));
      stream.on("end", resolve);
      stream.on("error", reject);
    });
  } finally {
    closeSync(fd);
    stream._read(0);
  }
}

function countFiles(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).length;
}

export async function createBackup({
  url,
  outDir,
  checkpointDir,
  method = "auto",
  pgDump,
  log = () => {},
}: {
  url: string;
  outDir: string;
  checkpointDir: string;
  method?: BackupMethod;
  pgDump?: string;
  log?: (msg: string) => void;
}): Promise<Manifest> {
  if (existsSync(outDir) && (await readdir(outDir)).length > 0) throw new Error(`${outDir} is not empty; choose a new folder for the backup.`);
  await mkdir(outDir, { recursive: true });

  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const major = await readServerMajor({ sql });
    const dump = method === "copy" ? null : findPgTool({ tool: "pg_dump", serverMajor: major, explicit: pgDump });
    if (method === "pg_dump" && !dump?.tool) {
      const seen = dump?.found.map((f) => `${f.major} (${f.path})`).join(", ") || "none";
      throw new Error(`No pg_dump for PostgreSQL ${major} or newer (found: ${seen}). Install one (e.g. postgresql-client-${major}) and pass --pg-dump PATH, or use --method copy.`);
    }

    // One repeatable-read transaction holds the moment of the backup: row counts, the
    // migration list and the data (COPY here, or pg_dump attached to its exported snapshot).
    const database = await sql.begin("isolation level repeatable read read only", async (tx): Promise<Manifest["database"]> => {
      const txSql = tx as unknown as Sql;
      const rowCounts = await countTableRows({ sql: txSql });
      const migrations = await listAppliedMigrations({ sql: txSql });
      if (dump?.tool) {
        const [exported] = await tx<{ snapshot: string }[]>`select pg_export_snapshot() as snapshot`;
        const snapshot = exported!.snapshot;
        log(`Dumping the database with ${dump.tool.path} (PostgreSQL ${dump.tool.major}; server ${major}) ...`);
        const conn = libpqConnection(url);
        await runTool({ bin: dump.tool.path, args: ["--format=custom", "--no-owner", "--no-privileges", `--snapshot=${snapshot}`, "--file", path.join(outDir, "database.dump"), "--dbname", conn.dbname], env: conn.env });
        return { method: "pg_dump", serverMajor: major, pgDumpMajor: dump.tool.major, migrations, rowCounts };
      }
      if (method === "auto") log(`No pg_dump for PostgreSQL ${major} here (found: ${dump?.found.map((f) => `${f.major}`).join(", ") || "none"}); writing COPY files instead.`);
      log("Copying every table ...");
      const columns = await copyTables(txSql, outDir);
      return { method: "copy", serverMajor: major, pgDumpMajor: null, migrations, rowCounts, columns };
    });

    let checkpoints: Manifest["checkpoints"] = null;
    if (existsSync(checkpointDir)) {
      log(`Archiving the checkpoint store ${checkpointDir} ...`);
      await runTool({ bin: "tar", args: ["-C", checkpointDir, "-cf", path.join(outDir, "checkpoints.tar"), "."] });
      checkpoints = { sourceDir: checkpointDir, files: countFiles(checkpointDir) };
    } else log(`No checkpoint store at ${checkpointDir}; nothing to archive.`);

    const files: Record<string, string> = {};
    for (const entry of readdirSync(outDir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const rel = path.relative(outDir, path.join(entry.parentPath, entry.name));
      files[rel] = await sha256File(path.join(outDir, rel));
    }
    const pkg = JSON.parse(readFileSync(path.join(process.cwd(), "package.json"), "utf8")) as { name: string; version: string };
    const manifest: Manifest = { formatVersion: 1, createdAt: new Date().toISOString(), app: { name: pkg.name, version: pkg.version }, database, checkpoints, files };
    await writeFile(path.join(outDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
    return manifest;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
