/**
 * The commands a user runs beside `npm start` (user:create, import, export, seed, the trainer
 * CLI's --register and --snapshot) reach the database `npm start` serves without DATABASE_URL:
 * the embedded one while it runs, started for the command when it does not, and a clear
 * refusal before there is one.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { childProcessEnv, databaseUrl } from "@/lib/env";
import { recreateDatabase } from "@/lib/testing/databases";
import { runMigrations, shippedMigrationCount } from "./migrate";
import { databaseName } from "./urls";
import { closedToPostgresUser, startEmbeddedPostgres, type EmbeddedServer } from "./embedded";

const PORT = 54341;
// Under the project, not a 0700 temp folder: as root, the embedded server runs as `postgres`.
mkdirSync(".data/test", { recursive: true });
const dataDir = mkdtempSync(path.resolve(".data/test/configured-"));
chmodSync(dataDir, 0o755);
let server: EmbeddedServer | null = null;
// As root, the server runs as `postgres`, which cannot start from a checkout under a private
// folder (.ci/run smoke-tests a copy then); these cases need a server, so they skip there.
const closed = closedToPostgresUser(dataDir);
const needsServer = it.skipIf(closed !== undefined);
if (closed) console.warn(`db/configured.test.ts: the postgres user cannot enter ${closed}; the embedded-server cases are skipped`);

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The environment of a user who ran `npm start` without DATABASE_URL. */
function embeddedEnv(dir = dataDir) {
  const env = childProcessEnv({ PAIRWISE_DATA_DIR: dir, EMBEDDED_PG_PORT: String(PORT), PAIRWISE_NEW_USER_PASSWORD: "a-long-password", LOG_LEVEL: "silent", TRAINER_BACKEND: "cpu" });
  delete env.DATABASE_URL;
  return env;
}

function createUser(email: string, dir = dataDir) {
  return spawnSync("npm", ["run", "--silent", "user:create", "--", "--email", email, "--role", "researcher"], { env: embeddedEnv(dir), encoding: "utf8", timeout: 120_000 });
}

async function roleOf(url: string, email: string): Promise<string | undefined> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await sql<{ role: string }[]>`select role from users where email = ${email}`)[0]?.role;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

describe("commands on a database that is not migrated", () => {
  it("refuse with how many migrations are applied and the command that applies the rest", async () => {
    const url = await recreateDatabase(databaseUrl(), `${databaseName(databaseUrl())}_unmigrated`);
    const run = spawnSync("npm", ["run", "--silent", "seed"], { env: childProcessEnv({ DATABASE_URL: url, LOG_LEVEL: "silent" }), encoding: "utf8", timeout: 120_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(`DATABASE_URL: 0 of this build's ${shippedMigrationCount()} migrations are applied. Run \`npm run db:migrate\` first (\`npm start\` also migrates).`);
  });
});

describe("commands without DATABASE_URL", () => {
  it("refuse with what to do when npm start has never made the embedded database", () => {
    const empty = mkdtempSync(path.resolve(".data/test/configured-empty-"));
    try {
      const run = createUser("nobody@example.com", empty);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("No database yet");
      expect(run.stderr).toContain("Run `npm start` once");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  needsServer("use the embedded PostgreSQL npm start runs, and start it for the command when it is stopped", async () => {
    server = await startEmbeddedPostgres({ dataDir, port: PORT, log: () => {} });
    const url = server.url;
    await runMigrations(url);

    const whileRunning = createUser("running@example.com");
    expect(whileRunning.stderr).toBe("");
    expect(whileRunning.status).toBe(0);
    expect(whileRunning.stdout).toContain("Created running@example.com (researcher).");

    await server.stop();
    server = null;
    const whileStopped = createUser("stopped@example.com");
    expect(whileStopped.status).toBe(0);
    expect(whileStopped.stdout).toContain("Created stopped@example.com (researcher).");

    server = await startEmbeddedPostgres({ dataDir, port: PORT, log: () => {} });
    expect(await roleOf(url, "running@example.com")).toBe("researcher");
    expect(await roleOf(url, "stopped@example.com")).toBe("researcher");
  });

  needsServer("npm run db:migrate and npm run worker join the embedded PostgreSQL npm start runs", async () => {
    server ??= await startEmbeddedPostgres({ dataDir, port: PORT, log: () => {} });
    const migrate = spawnSync("npm", ["run", "--silent", "db:migrate"], { env: embeddedEnv(), encoding: "utf8", timeout: 120_000 });
    expect(migrate.stderr).toBe("");
    expect(migrate.stdout).toContain("Migrated the embedded PostgreSQL that npm start runs");

    const worker = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "trainer/worker.ts"], { env: embeddedEnv(), stdio: "ignore" });
    try {
      const sql = postgres(server.url, { max: 1, onnotice: () => {} });
      try {
        const deadline = Date.now() + 60_000;
        let registered = 0;
        while (!registered && Date.now() < deadline && worker.exitCode === null) {
          registered = (await sql<{ n: number }[]>`select count(*)::int as n from workers where pid = ${worker.pid!}`)[0]!.n;
          if (!registered) await new Promise((r) => setTimeout(r, 250));
        }
        expect(worker.exitCode).toBeNull();
        expect(registered).toBe(1);
      } finally {
        await sql.end({ timeout: 5 });
      }
    } finally {
      worker.kill("SIGTERM");
      await new Promise((r) => worker.once("exit", r));
    }
  });
});
