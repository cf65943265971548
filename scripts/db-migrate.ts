/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, else the embedded database (db/configured.ts). */
import { withConfiguredDatabase } from "@/db/configured";
import { runMigrations, shippedMigrationCount } from "@/db/migrate";
import { errorText } from "./lib/error-text";

try {
  await withConfiguredDatabase(async (url, where) => {
    await runMigrations(url);
    console.log(`Migrated ${where} (${shippedMigrationCount()} migrations shipped).`);
  });
} catch (err) {
  console.error(`Migration failed: ${errorText(err)}`);
  process.exit(1);
}
