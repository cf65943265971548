/**
 * `npm run export -- --snapshot ID --format F [--gzip] [--salt S] [--anonymised] --out FILE`:
 * the same export as the API, written to a file (`-` for stdout). With `--format hf-dataset`
 * and an --out that does not end in .tar / .tar.gz, the dataset folder is written there.
 * The CLI runs with database access, so it acts as an admin; its audit events have no actor.
 */
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ZodError } from "zod";
import { withAppDatabase } from "@/db/configured";
import { exportHfDatasetFolder, startExport } from "@/lib/exports/exports";
import { exportFormats } from "@/lib/exports/formats";
import { exportQuerySchema } from "@/lib/exports/schema";
import { parseCliArgs } from "./lib/cli-args";
import { errorText } from "./lib/error-text";

const USAGE = `Usage: npm run export -- --snapshot ID --format ${exportFormats.join("|")} [--gzip] [--salt S] [--anonymised] --out FILE|DIR|-`;

const { values } = parseCliArgs(
  {
    options: {
      snapshot: { type: "string" },
      format: { type: "string" },
      gzip: { type: "boolean", default: false },
      salt: { type: "string" },
      anonymised: { type: "boolean", default: false },
      out: { type: "string" },
    },
  },
  USAGE,
);

try {
  const { snapshot: snapshotId, out } = values;
  if (!snapshotId || !values.format || !out) throw new Error(USAGE);
  const query = exportQuerySchema.parse({
    format: values.format,
    gzip: values.gzip ? "1" : "0",
    salt: values.salt,
    anonymised: values.anonymised ? "1" : "0",
  });
  const actor = { id: null, role: "admin" as const };
  const started = Date.now();
  await withAppDatabase(async () => {
    if (query.format === "hf-dataset" && out !== "-" && !/\.tar(\.gz)?$/.test(out)) {
      const manifest = await exportHfDatasetFolder({ snapshotId, query, actor, dir: out });
      console.error(`Wrote the dataset folder ${out}: ${JSON.stringify(manifest.counts)} (${((Date.now() - started) / 1000).toFixed(1)} s).`);
    } else {
      const run = await startExport({ snapshotId, query, actor, via: "cli" });
      const sink = out === "-" ? process.stdout : createWriteStream(out);
      await pipeline(Readable.from(run.body), sink);
      console.error(`Wrote ${out}: ${run.manifest.title}, ${JSON.stringify(run.manifest.counts)} (${((Date.now() - started) / 1000).toFixed(1)} s).`);
    }
  });
} catch (err) {
  if (err instanceof ZodError) for (const i of err.issues) console.error(`--${i.path.join(".")}: ${i.message}`);
  else console.error(errorText(err));
  process.exitCode = 1;
}
