/**
 * The database the commands besides `npm start` work on: DATABASE_URL when set; else the
 * embedded server, reached where `npm start` runs it, or started for the command and stopped
 * after. So `npm run user:create`, `import`, `export`, `seed`, `db:backup` and the trainer
 * CLI's database options reach the data `npm start` serves without DATABASE_URL.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { runningEmbeddedUrl, startEmbeddedPostgres } from "@/db/embedded";
import { appliedMigrationCount, shippedMigrationCount } from "@/db/migrate";
import { dataDir, env, setDatabaseUrl } from "@/lib/env";

export async function withConfiguredDatabase<T>(
  fn: (url: string, where: string) => Promise<T>,
  log: (msg: string) => void = (msg) => console.log(msg),
): Promise<T> {
  if (env.DATABASE_URL) return fn(env.DATABASE_URL, "DATABASE_URL");
  const running = runningEmbeddedUrl(dataDir);
  if (running) return fn(running, `the embedded PostgreSQL that npm start runs (${dataDir}/pg)`);
  const server = await startEmbeddedPostgres({ dataDir, port: env.EMBEDDED_PG_PORT, log });
  try {
    return await fn(server.url, `the embedded PostgreSQL in ${dataDir}/pg (started for this command)`);
  } finally {
    await server.stop();
  }
}

/**
 * Runs `work` with the app's database client (db/client) pointed at the configured database,
 * and closes the client before an embedded server started for the command stops. Without
 * DATABASE_URL and before any `npm start` there is no database to work on: refused, rather
 * than creating an empty, unmigrated cluster. Progress goes to stderr: `npm run export -- --out -`
 * writes its file to stdout.
 */
export async function withAppDatabase<T>(work: () => Promise<T>): Promise<T> {
  if (!env.DATABASE_URL && !existsSync(path.join(dataDir, "pg", "PG_VERSION"))) {
    throw new Error(`No database yet: DATABASE_URL is not set and ${dataDir}/pg holds no embedded PostgreSQL. Run \`npm start\` once (it creates it), or set DATABASE_URL.`);
  }
  const { closeDatabase } = await import("@/db/client");
  return withConfiguredDatabase(
    async (url, where) => {
      // An unmigrated database would fail on the first query with "relation … does not exist".
      const [applied, shipped] = [await appliedMigrationCount(url), shippedMigrationCount()];
      if (applied < shipped) {
        throw new Error(`${where}: ${applied} of this build's ${shipped} migrations are applied. Run \`npm run db:migrate\` first (\`npm start\` also migrates).`);
      }
      setDatabaseUrl(url);
      try {
        return await work();
      } finally {
        await closeDatabase();
      }
    },
    (msg) => console.error(msg),
  );
}
