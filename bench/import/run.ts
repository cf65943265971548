/**
 * `npm run bench:import [-- --rows N] [--no-heap-bound] [--without-fk-indexes] [--keep]`: generates
 * an N-row JSONL file (default 100k), then runs `npm run import` on it against a fresh database, in
 * its own process, and prints what that reports: rows/s and the import process's peak RSS. With
 * --no-heap-bound it runs the same command without the 192 MB heap bound `npm run import`
 * sets, to show what the bound saves; with --without-fk-indexes it drops the indexes of pairs'
 * prompt and response columns (migration 0018) first, to show what keeping them costs an import. Uses DATABASE_URL's server (a scratch database on it)
 * or an embedded PostgreSQL under .data/bench. The file's folder under the OS's temporary
 * folder is removed when the bench ends, failed or not; --keep leaves it and says where.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { once } from "node:events";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { runMigrations } from "@/db/migrate";
import { databaseName } from "@/db/urls";
import { rules } from "@/lib/config/options";
import { recreateDatabase, testServer } from "@/lib/testing/databases";
import { cliNumber, parseCliArgs } from "@/scripts/lib/cli-args";

const USAGE = "Usage: npm run bench:import [-- --rows N (default 100000)] [--no-heap-bound] [--without-fk-indexes] [--keep]";
const { values } = parseCliArgs(
  { options: { rows: { type: "string", default: "100000" }, "no-heap-bound": { type: "boolean", default: false }, "without-fk-indexes": { type: "boolean", default: false }, keep: { type: "boolean", default: false } } },
  USAGE,
);
const rows = cliNumber("rows", values.rows, rules.count, USAGE);

const server = await testServer({ dataDir: ".data/bench", port: 54335 });
const url = await recreateDatabase(server.url, `${databaseName(server.url)}_bench_import`);
await runMigrations(url);
const sql = postgres(url, { max: 1, onnotice: () => {} });
if (values["without-fk-indexes"]) {
  await sql`drop index pairs_prompt, pairs_response_a, pairs_response_b`;
  console.log("without the indexes on pairs.prompt_id, response_a_id, response_b_id (migration 0018 undone)");
}
const [campaign] = await sql<{ id: string }[]>`insert into campaigns (name) values ('bench import') returning id`;
await sql.end();

const folder = await mkdtemp(path.join(tmpdir(), "pairwise-bench-"));
const file = path.join(folder, "pairs.jsonl");
try {
  const out = createWriteStream(file);
  for (let i = 0; i < rows; i++) {
    const line = JSON.stringify({
      prompt: `Define: word number ${i}`,
      response_a: `A first answer about word ${i}, a few words long.`,
      response_b: { text: `A second, different answer for word ${i}.`, source: "bench-model" },
    });
    if (!out.write(line + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  console.log(`generated ${rows} rows in ${file}`);

  const importArgs = ["--campaign", campaign!.id, file];
  // Unbounded: `npm run import`'s command (package.json) without its --max-old-space-size.
  const [command, args] = values["no-heap-bound"]
    ? [process.execPath, ["--import", "tsx", "--conditions=react-server", "scripts/import.ts", ...importArgs]]
    : ["npm", ["run", "--silent", "import", "--", ...importArgs]];
  console.log(values["no-heap-bound"] ? "import without a heap bound" : "import with npm run import's 192 MB heap bound");
  const run = spawnSync(command, args, { env: { ...process.env, DATABASE_URL: url }, encoding: "utf8" });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  process.exitCode = run.status ?? 1;
} finally {
  if (values.keep) console.log(`kept ${folder}`);
  else await rm(folder, { recursive: true, force: true });
  await server.embedded?.stop();
}
