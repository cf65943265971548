/**
 * `npm run bench:checkpoint-upload`: what a checkpoint upload costs the server. It writes a
 * GPT-2-layout folder of the size `--layers` and `--d` give, with GPT-2's vocabulary (default:
 * GPT-2 small's 124M parameters, 0.5 GB of float32). Then, in a fresh process, it sends the folder
 * to the handler of POST /api/v1/checkpoints (importUploadedCheckpoint, past the route's auth) as
 * a multipart body streamed from disk, so the sender holds none of it, and prints the time and
 * that process's peak RSS. Uses DATABASE_URL's server (a scratch database on it) or an embedded
 * PostgreSQL under .data/bench.
 *
 * First it prints what deflate would save on the shipped demo checkpoints' model.safetensors,
 * the reason a checkpoint's zip download stores its files (lib/exports/zip.ts).
 */
import { spawnSync } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { deflateRawSync } from "node:zlib";
import { runMigrations } from "@/db/migrate";
import { databaseName } from "@/db/urls";
import { rules } from "@/lib/config/options";
import { recreateDatabase, testServer } from "@/lib/testing/databases";
import { cliNumber, parseCliArgs, refuseCli } from "@/scripts/lib/cli-args";

// --child is the bench's own second process, which sends the folder.
const USAGE = "Usage: npm run bench:checkpoint-upload [-- --layers N (default 12)] [--d N, a multiple of 64 (default 768)]";
const { values } = parseCliArgs(
  {
    options: {
      child: { type: "string" },
      layers: { type: "string", default: "12" },
      d: { type: "string", default: "768" },
    },
  },
  USAGE,
);
const layers = cliNumber("layers", values.layers, rules.count, USAGE);
const dModel = cliNumber("d", values.d, rules.count, USAGE);
if (dModel % 64 !== 0) refuseCli(`--d must be a multiple of 64, the width of a head (got ${values.d}).`, USAGE);

if (values.child) await sendUpload(values.child);
else await main();

async function main() {
  const { shippedBaseId, shippedCheckpointDir, shippedSftId } = await import("@/trainer/shipped");
  for (const id of [shippedBaseId, shippedSftId]) {
    const bytes = await readFile(path.join(shippedCheckpointDir, id, "model.safetensors"));
    const deflated = deflateRawSync(bytes).length; // zlib's default level, as a deflate zip entry would hold it
    console.log(`${id} model.safetensors: ${bytes.length.toLocaleString("en")} bytes, deflated ${deflated.toLocaleString("en")} (${((1 - deflated / bytes.length) * 100).toFixed(1)}% smaller)`);
  }
  const { writeSafetensors } = await import("@/trainer/safetensors");
  const { gpt2ConfigJson } = await import("@/trainer/checkpoint");
  const { gpt2TensorShapes } = await import("@/trainer/model");
  const { Gpt2Tokenizer } = await import("@/trainer/tokenizer");
  const config = { vocabSize: 50257, contextLength: 1024, dModel, layers, heads: dModel / 64, dropout: 0, activation: "gelu_new", layerNormEpsilon: 1e-5 } as const;
  const folder = await mkdtemp(path.join(tmpdir(), "pairwise-bench-upload-"));
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  let params = 0;
  for (const [name, shape] of gpt2TensorShapes(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i += 97) data[i] = ((i % 13) - 6) / 100; // not all zeros, cheaply
    tensors[name.replace(/^transformer\./, "")] = { shape, data };
    params += data.length;
  }
  await writeFile(path.join(folder, "model.safetensors"), writeSafetensors(tensors, { format: "pt" }));
  await writeFile(path.join(folder, "config.json"), JSON.stringify(gpt2ConfigJson(config, new Gpt2Tokenizer())));
  const bytes = (await stat(path.join(folder, "model.safetensors"))).size;
  console.log(`folder: ${(params / 1e6).toFixed(1)}M parameters, model.safetensors ${(bytes / 2 ** 20).toFixed(0)} MiB`);

  const server = await testServer({ dataDir: ".data/bench", port: 54335 });
  const url = await recreateDatabase(server.url, `${databaseName(server.url)}_bench_upload`);
  await runMigrations(url);
  const store = await mkdtemp(path.join(tmpdir(), "pairwise-bench-store-"));
  const run = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, "--child", folder], {
    env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DIR: store },
    encoding: "utf8",
  });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  await rm(folder, { recursive: true, force: true });
  await rm(store, { recursive: true, force: true });
  await server.embedded?.stop();
  process.exitCode = run.status ?? 1;
}

/** The child: one upload through the route handler, in this fresh process. */
async function sendUpload(folder: string) {
  const { importUploadedCheckpoint } = await import("@/lib/checkpoints/import");
  const { makeUser } = await import("@/lib/testing/fixtures");
  const { closeDatabase } = await import("@/db/client");
  const actor = await makeUser("researcher");

  const boundary = `pairwise-bench-${Date.now()}`;
  const files = ["config.json", "model.safetensors"];
  async function* body() {
    yield Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="name"\r\n\r\nbench-upload\r\n`);
    for (const name of files) {
      yield Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="files"; filename="${name}"\r\ncontent-type: application/octet-stream\r\n\r\n`);
      yield* createReadStream(path.join(folder, name), { highWaterMark: 1 << 20 });
      yield Buffer.from("\r\n");
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const request = new Request("http://bench/api/v1/checkpoints", {
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    body: Readable.toWeb(Readable.from(body())) as ReadableStream,
    duplex: "half",
  } as RequestInit);
  const row = await importUploadedCheckpoint({ request, actorId: actor.id });
  const seconds = (performance.now() - started) / 1000;
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(`upload: imported ${row.name} (${(row.sizeBytes / 2 ** 20).toFixed(0)} MiB) in ${seconds.toFixed(1)} s; peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (${(rssBefore / 2 ** 20).toFixed(0)} MiB before the request)`);
  await closeDatabase();
}
