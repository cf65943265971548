/** Vitest global setup: a fresh, migrated database for the integration tests. */
import { runMigrations } from "@/db/migrate";
import { databaseName } from "@/db/urls";
import { recreateDatabase, testServer } from "./databases";

export default async function setup(): Promise<() => Promise<void>> {
  const server = await testServer({ dataDir: ".data/test", port: 54330 });
  const name = `${databaseName(server.url)}_vitest`;
  const url = await recreateDatabase(server.url, name);
  await runMigrations(url);
  process.env.DATABASE_URL = url;
  process.env.NEXTAUTH_SECRET ??= "test-secret-test-secret-test-secret";
  // `npm start` always sets it; next-auth derives its origin and cookie names from it.
  process.env.NEXTAUTH_URL ??= "http://localhost:3000";
  process.env.LOG_LEVEL ??= "silent";
  // Checkpoints that tests write stay out of the store `npm start` uses.
  process.env.CHECKPOINT_DIR ??= ".data/test/checkpoints";
  return async () => {
    await server.embedded?.stop();
  };
}
