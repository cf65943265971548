/**
 * Exports of a dataset snapshot: who may have which, the manifest, and the file itself as
 * a stream of byte chunks read from a database cursor, so memory stays flat at any size.
 * The API route and the CLI are thin wrappers around `startExport`.
 */
import "server-only";
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { randomBytes } from "node:crypto";
import { createGzip } from "node:zlib";
import { ByteWriter, parquetWriteRows } from "hyparquet-writer";
import type { DatasetSnapshot } from "@/db/schema";
import type { Role } from "@/db/values";
import { recordAudit } from "@/lib/audit/audit";
import { AppError } from "@/lib/errors";
import { getSnapshot } from "@/lib/snapshots/snapshots";
import { snapshotFiltersSchema } from "@/lib/snapshots/schema";
import { exportAccess, exportFilename, fieldsOf, formatSpecs, type ExportFormat } from "./formats";
import { datasetCard, HF_DATA_FILES, recipe, recipeReadme, recipeScripts } from "./hf-dataset";
import { aggregateRecord, csvLine, hfRecord, hhRecord, pseudonymiser, splitOf, trlLine, voteRecord, type VoteSource } from "./render";
import { preferenceBatches, preferenceCounts, trlJsonBatches, voteBatches, voteCounts } from "./rows";
import { tarStream } from "./tar";
import type { ExportManifest, ExportQuery } from "./schema";

export type ExportActor = { id: string | null; role: Role };

export type StartedExport = {
  manifest: ExportManifest;
  filename: string;
  contentType: string;
  /** The file's bytes, produced as they are read; stop iterating to cancel (the cursor closes). */
  body: AsyncIterable<Uint8Array>;
};

type Plan = { snapshot: DatasetSnapshot; format: ExportFormat; gzip: boolean; anonymised: boolean; salt: string; saltGiven: boolean };

const PSEUDONYM_HEX_DIGITS = 16;
const HF_FILES = ["README.md", "manifest.json", "recipe/README.md", "recipe/recipe.json", ...recipe.scripts.map((s) => s.file), HF_DATA_FILES.train, HF_DATA_FILES.test];

/** Checks the caller's role against the variant asked for; labelers and unknown roles get 403. */
async function plan({ snapshotId, query, actor }: { snapshotId: string; query: ExportQuery; actor: ExportActor }): Promise<Plan> {
  const access = exportAccess(actor.role);
  if (!access) throw new AppError("forbidden:export", "Exports need the researcher or admin role.");
  if (access.anonymisedOnly && query.anonymised === false) {
    throw new AppError("forbidden:export", "Researchers get the anonymised variant of exports only.");
  }
  const snapshot = await getSnapshot({ snapshotId });
  return {
    snapshot,
    format: query.format,
    gzip: query.gzip ?? false,
    anonymised: access.anonymisedOnly || (query.anonymised ?? false),
    salt: query.salt ?? randomBytes(32).toString("hex"),
    saltGiven: query.salt !== undefined,
  };
}

async function countsFor(p: Plan): Promise<Record<string, number>> {
  switch (p.format) {
    case "trl":
    case "hh": {
      const c = await preferenceCounts({ snapshotId: p.snapshot.id });
      return { rows: c.rows, tiesDropped: c.ties };
    }
    case "hf-dataset": {
      const c = await preferenceCounts({ snapshotId: p.snapshot.id, split: true });
      return { train: c.rows - c.test, test: c.test, trainPrompts: c.prompts - c.test_prompts, testPrompts: c.test_prompts, tiesDropped: c.ties };
    }
    case "aggregated": {
      const c = await voteCounts({ snapshot: p.snapshot });
      return { rows: c.pairs, votes: c.votes };
    }
    default: {
      const c = await voteCounts({ snapshot: p.snapshot });
      return { rows: c.votes, pairs: c.pairs, labelers: c.labelers };
    }
  }
}

async function manifestFor(p: Plan): Promise<ExportManifest> {
  const spec = formatSpecs[p.format];
  const hasLabelers = spec.rowIs === "judgment";
  return {
    format: p.format,
    formatVersion: spec.version,
    title: spec.title,
    rowIs: spec.rowIs,
    filename: exportFilename({ snapshotId: p.snapshot.id, format: p.format, gzip: p.gzip }),
    contentType: p.gzip ? "application/gzip" : spec.contentType,
    gzip: p.gzip,
    snapshot: {
      id: p.snapshot.id,
      name: p.snapshot.name,
      contentHash: p.snapshot.contentHash,
      createdAt: p.snapshot.createdAt.toISOString(),
      aggregate: snapshotFiltersSchema.parse(p.snapshot.filters).aggregate,
    },
    counts: await countsFor(p),
    fields: fieldsOf(p.format, p.format === "aggregated" || p.anonymised),
    anonymised: hasLabelers ? p.anonymised : true,
    pseudonymisation: hasLabelers ? { method: "HMAC-SHA256", hexDigits: PSEUDONYM_HEX_DIGITS, saltGiven: p.saltGiven } : null,
    ...(p.format === "hf-dataset" ? { files: HF_FILES } : {}),
  };
}

/** The manifest an export with these options would have; reads counts, writes nothing. */
export async function exportManifest({ snapshotId, query, actor }: { snapshotId: string; query: ExportQuery; actor: ExportActor }): Promise<ExportManifest> {
  return manifestFor(await plan({ snapshotId, query, actor }));
}

/** Checks access, records `export.created`, and returns the file as a lazy stream of bytes. */
export async function startExport({ snapshotId, query, actor, via }: { snapshotId: string; query: ExportQuery; actor: ExportActor; via: "api" | "cli" }): Promise<StartedExport> {
  const p = await plan({ snapshotId, query, actor });
  const manifest = await manifestFor(p);
  await recordAudit({
    actorId: actor.id,
    action: "export.created",
    targetType: "snapshot",
    targetId: p.snapshot.id,
    details: { format: p.format, gzip: p.gzip, anonymised: manifest.anonymised, saltGiven: p.saltGiven, counts: manifest.counts, via },
  });
  const body = contentOf(p, manifest);
  return { manifest, filename: manifest.filename, contentType: manifest.contentType, body: p.gzip ? gzipped(body) : body };
}

// ---------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------

function contentOf(p: Plan, manifest: ExportManifest): AsyncIterable<Uint8Array> {
  const snapshotId = p.snapshot.id;
  const pseudonym = pseudonymiser(p.salt);
  switch (p.format) {
    case "trl":
      return textLines(trlJsonBatches({ snapshotId }), trlLine);
    case "hh":
      return jsonLines(preferenceBatches({ snapshotId }), hhRecord);
    case "votes-jsonl":
      return jsonLines(voteBatches({ snapshot: p.snapshot }), (v) => voteRecord(v, pseudonym, p.anonymised));
    case "votes-csv":
      return votesCsv(p, pseudonym);
    case "aggregated":
      return aggregated(p);
    case "parquet":
      return votesParquet(p, pseudonym, manifest);
    case "hf-dataset":
      return hfDatasetTar(p, manifest);
  }
}

async function* jsonLines<T>(batches: AsyncIterable<T[]>, map: (row: T) => unknown): AsyncGenerator<Uint8Array> {
  for await (const batch of batches) {
    let text = "";
    for (const row of batch) text += JSON.stringify(map(row)) + "\n";
    yield Buffer.from(text);
  }
}

async function* textLines<T>(batches: AsyncIterable<T[]>, line: (row: T) => string): AsyncGenerator<Uint8Array> {
  for await (const batch of batches) {
    let text = "";
    for (const row of batch) text += line(row) + "\n";
    yield Buffer.from(text);
  }
}

async function* votesCsv(p: Plan, pseudonym: (id: string) => string): AsyncGenerator<Uint8Array> {
  const names = fieldsOf(p.format, p.anonymised).map((f) => f.name);
  yield Buffer.from(csvLine(names));
  for await (const batch of voteBatches({ snapshot: p.snapshot })) {
    let text = "";
    for (const v of batch) {
      const record = voteRecord(v, pseudonym, p.anonymised);
      text += csvLine(names.map((n) => record[n]));
    }
    yield Buffer.from(text);
  }
}

/** Votes arrive grouped by pair (see rows.ts), so a pair is complete when the next one starts. */
async function* aggregated(p: Plan): AsyncGenerator<Uint8Array> {
  let current: VoteSource[] = [];
  for await (const batch of voteBatches({ snapshot: p.snapshot })) {
    let text = "";
    for (const v of batch) {
      if (current.length && current[0]!.pairId !== v.pairId) {
        text += JSON.stringify(aggregateRecord(current)) + "\n";
        current = [];
      }
      current.push(v);
    }
    if (text) yield Buffer.from(text);
  }
  if (current.length) yield Buffer.from(JSON.stringify(aggregateRecord(current)) + "\n");
}

/** Rows per Parquet row group: one group is held in memory while it is encoded. */
const PARQUET_ROW_GROUP = 10_000;

/**
 * hyparquet-writer pushes bytes into a Writer and calls its flush() after every row group;
 * this one hands them to a stream and waits while the reader is behind, so at most one row
 * group is buffered.
 */
class StreamingByteWriter extends ByteWriter {
  constructor(private readonly out: PassThrough) {
    super(1 << 20);
  }

  flush(): Promise<void> | undefined {
    if (this.index === 0) return undefined;
    const chunk = Buffer.from(this.buffer.slice(0, this.index));
    this.index = 0;
    if (this.out.destroyed) throw new Error("The export was cancelled.");
    if (this.out.write(chunk)) return undefined;
    // A reader that stops (a cancelled download) closes the stream: fail, so the cursor closes too.
    return new Promise((resolve, reject) => {
      const onClose = () => reject(new Error("The export was cancelled."));
      this.out.once("close", onClose);
      this.out.once("drain", () => {
        this.out.off("close", onClose);
        resolve();
      });
    });
  }

  override finish(): void {
    void this.flush();
    this.out.end();
  }
}

function votesParquet(p: Plan, pseudonym: (id: string) => string, manifest: ExportManifest): AsyncIterable<Uint8Array> {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  async function* rows() {
    for await (const batch of voteBatches({ snapshot: p.snapshot })) {
      for (const v of batch) yield voteRecord(v, pseudonym, p.anonymised);
    }
  }
  const nullable = (name: string) => !["comparison_id", "pair_id", "prompt_id", "response_a_id", "response_b_id", "labeler", "choice", "shown_order", "server_ms", "created_at", "gold"].includes(name);
  const typeOf = (name: string) =>
    (({ strength: "INT32", server_ms: "INT32", active_ms: "INT32", gold: "BOOLEAN", gold_correct: "BOOLEAN" }) as const)[name as "strength"] ?? "STRING";
  const write = parquetWriteRows({
    writer: new StreamingByteWriter(out),
    rows: rows(),
    columns: fieldsOf(p.format, p.anonymised).map((f) => ({ name: f.name, type: typeOf(f.name), nullable: nullable(f.name) })),
    rowGroupSize: PARQUET_ROW_GROUP,
    createdBy: "pairwise",
    kvMetadata: [
      { key: "pairwise.snapshot_id", value: p.snapshot.id },
      { key: "pairwise.snapshot_hash", value: p.snapshot.contentHash },
      { key: "pairwise.format_version", value: manifest.formatVersion },
    ],
  });
  Promise.resolve(write).catch((err: unknown) => out.destroy(err as Error));
  return out;
}

async function writeChunk(stream: WriteStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, "drain");
}

async function closeStream(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, "finish");
}

/** Writes the Hugging Face dataset folder into `dir`. */
async function writeHfDataset({ p, manifest, dir }: { p: Plan; manifest: ExportManifest; dir: string }): Promise<void> {
  await mkdir(path.join(dir, "data"), { recursive: true });
  await mkdir(path.join(dir, "recipe"), { recursive: true });
  const train = createWriteStream(path.join(dir, HF_DATA_FILES.train));
  const test = createWriteStream(path.join(dir, HF_DATA_FILES.test));
  try {
    for await (const batch of preferenceBatches({ snapshotId: p.snapshot.id })) {
      let trainText = "";
      let testText = "";
      for (const row of batch) {
        const line = JSON.stringify(hfRecord(row)) + "\n";
        if (splitOf(row.promptId) === "test") testText += line;
        else trainText += line;
      }
      if (trainText) await writeChunk(train, trainText);
      if (testText) await writeChunk(test, testText);
    }
  } finally {
    await Promise.all([closeStream(train), closeStream(test)]);
  }
  const c = manifest.counts;
  const card = datasetCard({
    snapshotId: p.snapshot.id,
    snapshotName: p.snapshot.name,
    contentHash: p.snapshot.contentHash,
    train: c.train!,
    test: c.test!,
    trainPrompts: c.trainPrompts!,
    testPrompts: c.testPrompts!,
    tiesDropped: c.tiesDropped!,
  });
  await writeFile(path.join(dir, "README.md"), card);
  await writeFile(path.join(dir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  await writeFile(path.join(dir, "recipe/README.md"), recipeReadme());
  await writeFile(path.join(dir, "recipe/recipe.json"), JSON.stringify(recipe, null, 2) + "\n");
  for (const [name, text] of Object.entries(recipeScripts())) await writeFile(path.join(dir, name), text);
}

/** The folder as a tar: spooled to a temporary folder (the data files' sizes head their entries), then streamed. */
async function* hfDatasetTar(p: Plan, manifest: ExportManifest): AsyncGenerator<Uint8Array> {
  const dir = await mkdtemp(path.join(tmpdir(), "pairwise-hf-"));
  try {
    await writeHfDataset({ p, manifest, dir });
    const root = `pairwise-${p.snapshot.id.slice(0, 8)}`;
    yield* tarStream(
      HF_FILES.map((name) => ({ name: `${root}/${name}`, path: path.join(dir, name) })),
      { mtime: p.snapshot.createdAt },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The CLI's folder form of hf-dataset: same files as the tar, written in place. */
export async function exportHfDatasetFolder({ snapshotId, query, actor, dir }: { snapshotId: string; query: ExportQuery; actor: ExportActor; dir: string }): Promise<ExportManifest> {
  const p = await plan({ snapshotId, query: { ...query, format: "hf-dataset", gzip: false }, actor });
  const manifest = await manifestFor(p);
  await recordAudit({
    actorId: actor.id,
    action: "export.created",
    targetType: "snapshot",
    targetId: p.snapshot.id,
    details: { format: p.format, gzip: false, anonymised: manifest.anonymised, saltGiven: p.saltGiven, counts: manifest.counts, via: "cli", folder: true },
  });
  await writeHfDataset({ p, manifest, dir });
  return manifest;
}

/** Gzip (deterministic: Node writes mtime 0 and a fixed OS byte). Stopping the reader stops the source. */
function gzipped(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const gzip = createGzip();
  pipeline(Readable.from(source), gzip).catch(() => {
    // pipeline destroys `gzip` with the error, and the reader sees it there.
  });
  return gzip;
}

/** A web stream for a Response body: pulled on demand, and a cancelled download stops the cursor. */
export function toWebStream(chunks: AsyncIterable<Uint8Array>, onError: (err: unknown) => void): ReadableStream<Uint8Array> {
  const it = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await it.next();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        onError(err);
        controller.error(err);
      }
    },
    async cancel() {
      await it.return?.();
    },
  });
}
