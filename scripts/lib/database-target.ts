/**
 * The database the maintenance commands work on: DATABASE_URL when set; else the embedded
 * server, reached where `npm start` runs it, or started for the command and stopped after.
 */
import { runningEmbeddedUrl, startEmbeddedPostgres } from "@/db/embedded";
import { dataDir, env } from "@/lib/env";

export async function withConfiguredDatabase<T>(fn: (url: string, where: string) => Promise<T>): Promise<T> {
  if (env.DATABASE_URL) return fn(env.DATABASE_URL, "DATABASE_URL");
  const running = runningEmbeddedUrl(dataDir);
  if (running) return fn(running, `the embedded PostgreSQL that npm start runs (${dataDir}/pg)`);
  const server = await startEmbeddedPostgres({ dataDir, port: env.EMBEDDED_PG_PORT, log: (msg) => console.log(msg) });
  try {
    return await fn(server.url, `the embedded PostgreSQL in ${dataDir}/pg (started for this command)`);
  } finally {
    await server.stop();
  }
}
