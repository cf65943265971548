/**
 * The measured half of bench/export: one export streamed to /dev/null in this process,
 * so its peak RSS is the export's own. Prints one JSON line: bytes, ms, peak RSS.
 * Run by run.ts with DATABASE_URL set to the scratch database.
 */
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { closeDatabase } from "@/db/client";
import { startExport } from "@/lib/exports/exports";
import { exportQuerySchema } from "@/lib/exports/schema";

const [snapshotId, format = "trl"] = process.argv.slice(2);
const started = performance.now();
const run = await startExport({ snapshotId: snapshotId!, query: exportQuerySchema.parse({ format, salt: "bench-salt" }), actor: { id: null, role: "admin" }, via: "cli" });
let bytes = 0;
const counted = (async function* () {
  for await (const chunk of run.body) {
    bytes += chunk.byteLength;
    yield chunk;
  }
})();
await pipeline(Readable.from(counted), createWriteStream("/dev/null"));
const ms = performance.now() - started;
await closeDatabase();
console.log(JSON.stringify({ rows: run.manifest.counts.rows, bytes, ms, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
