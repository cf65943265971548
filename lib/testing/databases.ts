/**
 * Fresh databases for test runs, on the server DATABASE_URL names, or on an embedded
 * PostgreSQL when it is unset. Each suite gets its own database, dropped and re-created.
 */
import postgres from "postgres";
import { startEmbeddedPostgres, type EmbeddedServer } from "@/db/embedded";
import { withDatabase } from "@/db/urls";

export async function recreateDatabase(serverUrl: string, database: string): Promise<string> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${database}" with (force)`);
    await admin.unsafe(`create database "${database}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  return withDatabase(serverUrl, database);
}

/** The server to create test databases on: DATABASE_URL's, or an embedded one. */
export async function testServer({ dataDir, port }: { dataDir: string; port: number }): Promise<{ url: string; embedded: EmbeddedServer | null }> {
  const given = process.env.DATABASE_URL;
  if (given) return { url: given, embedded: null };
  const embedded = await startEmbeddedPostgres({ dataDir, port, log: () => {} });
  return { url: embedded.url, embedded };
}
