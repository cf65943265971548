/** `npm run db:migrate`: applies pending migrations to DATABASE_URL. */
import { runMigrations, shippedMigrationCount } from "@/db/migrate";
import { databaseUrl } from "@/lib/env";

await runMigrations(databaseUrl());
console.log(`Migrated (${shippedMigrationCount()} migrations shipped).`);
