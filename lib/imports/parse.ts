/**
 * Turns the lines of an import file into normalised rows: a prompt and the pairs to make
 * from it. Pure and streaming; the caller decides what to do with bad lines.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { Transform, type TransformCallback } from "node:stream";
import { parse as parseCsv } from "csv-parse";
import type { PromptContent } from "@/db/schema";
import type { Choice } from "@/db/values";
import { unstorableTextMessage, unstorableTextPath } from "@/lib/api/storable-text";
import { checkRowKeys, lookAlikes, type NearKey, type RowShape, type UnreadKey } from "./keys";
import { multiRowSchema, pairRowSchema, trlRowSchema, type ImportOptions, type ImportResponse } from "./schema";

export type NormalResponse = { text: string; source: string; metadata: Record<string, unknown>; checkpointId?: string | null };
export type NormalRow = {
  line: number;
  prompt: PromptContent;
  /** `priority`: the queue serves higher first at equal judgment count; imports leave it unset (0). */
  pairs: { a: NormalResponse; b: NormalResponse; gold: Choice | null; priority?: number }[];
};
/**
 * `ignored`: the row's keys that Pairwise does not read (lib/imports/keys.ts). `near`: the
 * look-alike keys a line is refused for, so a file whose every row has them is told once.
 */
export type ParsedLine = { line: number; row: NormalRow; ignored: UnreadKey[] } | { line: number; error: string; near?: NearKey[] };

function normal(r: ImportResponse, rowMetadata: Record<string, unknown> | undefined): NormalResponse {
  if (typeof r === "string") return { text: r, source: "imported", metadata: rowMetadata ?? {} };
  return { text: r.text, source: r.source ?? "imported", metadata: { ...rowMetadata, ...r.metadata } };
}

/** A small seeded PRNG (mulberry32), so a sampled subset of pairs is the same on every import. */
function seeded(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = Math.imul(t ^ (t >>> 15), 1 | t);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export function allPairs<T>(items: T[], max: number, seed: number): [T, T][] {
  const out: [T, T][] = [];
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) out.push([items[i]!, items[j]!]);
  if (max === 0 || out.length <= max) return out;
  const rand = seeded(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out.slice(0, max);
}

function describeIssues(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
}

/** The keys whose presence decides a row's shape. */
const shapeKeys: readonly string[] = ["response_a", "response_b", "responses", "chosen", "rejected"];

/** Interprets one parsed object as a pair row, a K-responses row or a TRL row. */
function normaliseRecord(value: unknown, line: number, options: ImportOptions): ParsedLine {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { line, error: "Each line must be a JSON object." };
  const unstorable = unstorableTextPath(value);
  if (unstorable !== null) return { line, error: unstorableTextMessage(unstorable) };
  const keys = value as Record<string, unknown>;
  const shape: RowShape = "responses" in keys ? "multi" : "chosen" in keys || "rejected" in keys ? "trl" : "pair";
  if (shape === "pair" && !("response_a" in keys) && !("response_b" in keys)) {
    const near = lookAlikes(keys);
    const hints = near.map((k) => `\`${k.meant}\` for \`${k.key}\``).join(", ");
    const error = `Expected {prompt, response_a, response_b}, {prompt, responses: [...]} or {prompt, chosen, rejected}.${hints ? ` Did you mean ${hints}?` : ""}`;
    // Grouped with other rows by its look-alikes only when renaming them gives the row a shape (`Response A`): a row
    // whose only look-alike is `Gold` lacks its responses too, and "rename `Gold`" would hide that.
    return near.some((k) => shapeKeys.includes(k.meant)) ? { line, error, near } : { line, error };
  }
  const { refused, near, ignored } = checkRowKeys(keys, shape);
  if (refused) return { line, error: refused, near };
  if (shape === "multi") {
    const r = multiRowSchema.safeParse(value);
    if (!r.success) return { line, error: describeIssues(r.error.issues) };
    const responses = r.data.responses.map((x) => normal(x, r.data.metadata));
    return { line, ignored, row: { line, prompt: r.data.prompt, pairs: allPairs(responses, options.maxPairsPerPrompt, line).map(([a, b]) => ({ a, b, gold: null })) } };
  }
  if (shape === "trl") {
    const r = trlRowSchema.safeParse(value);
    if (!r.success) return { line, error: describeIssues(r.error.issues) };
    const answer = (x: (typeof r.data)["chosen"]) => (Array.isArray(x) ? x[0].content : x);
    const chosen = normal(answer(r.data.chosen), r.data.metadata);
    const rejected = normal(answer(r.data.rejected), r.data.metadata);
    return { line, ignored, row: { line, prompt: r.data.prompt, pairs: [{ a: chosen, b: rejected, gold: options.trlAs === "gold" ? "a" : null }] } };
  }
  const r = pairRowSchema.safeParse(value);
  if (!r.success) return { line, error: describeIssues(r.error.issues) };
  const a = normal(r.data.response_a, r.data.metadata);
  const b = normal(r.data.response_b, r.data.metadata);
  return { line, ignored, row: { line, prompt: r.data.prompt, pairs: [{ a, b, gold: r.data.gold ?? null }] } };
}

/** Lines over this size are refused without being parsed. */
export const MAX_LINE_BYTES = 4_000_000;

/** Column names of the row shapes, as a CSV header names them. */
const CSV_HEADER_KEYS = new Set(["prompt", "response_a", "response_b", "responses", "chosen", "rejected", "gold"]);

function looksLikeCsvHeader(line: string): boolean {
  if (line.trimStart().startsWith("{") || !line.includes(",")) return false;
  return line.split(",").some((cell) => CSV_HEADER_KEYS.has(cell.trim().replace(/^"(.*)"$/, "$1").toLowerCase()));
}

async function* jsonlLines(file: string, options: ImportOptions): AsyncGenerator<ParsedLine> {
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let line = 0;
  let first = true;
  for await (const read of lines) {
    line++;
    // Windows Notepad and Excel save UTF-8 with a byte order mark, which JSON.parse refuses.
    const text = line === 1 && read.startsWith("\uFEFF") ? read.slice(1) : read;
    if (text.trim() === "") continue;
    // A .json file (an array, or pretty-printed) would otherwise fail on every line alike.
    if (first && (text.trimStart().startsWith("[") || text.trim() === "{")) {
      yield { line, error: "The file is JSON spread over several lines or an array, not JSON Lines: put each row's object on a line of its own (jq -c '.[]' file.json > file.jsonl)." };
      return;
    }
    // A CSV sent as JSONL (curl's default content type, a .txt name) would fail on every line as
    // "not valid JSON", with nothing saying the file is fine as CSV.
    if (first && looksLikeCsvHeader(text)) {
      const header = text.length > 80 ? `${text.slice(0, 80)}…` : text;
      yield { line, error: `The first line is a CSV header (${header}), not JSON: import the file as CSV (CSV in the page's format menu, ?format=csv or content-type text/csv through the API, --format csv with npm run import).` };
      return;
    }
    first = false;
    if (text.length > MAX_LINE_BYTES) {
      yield { line, error: `The line is over ${MAX_LINE_BYTES} characters.` };
      continue;
    }
    if (text.includes("\uFFFD")) {
      yield { line, error: "The line is not valid UTF-8." };
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      yield { line, error: `Not valid JSON (${(err as Error).message}).` };
      continue;
    }
    yield normaliseRecord(value, line, options);
  }
}

/**
 * Where CSV records begin, by line. csv-parse's own count goes wrong in CRLF files whose quoted
 * cells hold line breaks (it named line 12 of a 10-line file), so the bytes are counted here as
 * they pass to the parser: the parser has read a record's bytes before it hands the record over,
 * and the offsets asked for only grow, so a chunk is dropped once it is passed.
 */
class LineIndex extends Transform {
  private chunks: Buffer[] = [];
  private at = 0; // index in chunks[0] of the byte at `offset`
  private offset = 0;
  private line = 1;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.chunks.push(chunk);
    done(null, chunk);
  }

  /** The line of the first byte at or after `from` that is not a line break: where the record after any blank lines begins. */
  lineAtContent(from: number): number {
    while (this.chunks.length) {
      const chunk = this.chunks[0]!;
      // Up to `from`, line feeds are searched for rather than looked at byte by byte.
      while (this.offset < from && this.at < chunk.length) {
        const stop = Math.min(chunk.length, this.at + (from - this.offset));
        const lf = chunk.subarray(this.at, stop).indexOf(0x0a);
        const next = lf === -1 ? stop : this.at + lf + 1;
        if (lf !== -1) this.line++;
        this.offset += next - this.at;
        this.at = next;
      }
      for (; this.at < chunk.length; this.at++, this.offset++) {
        const byte = chunk[this.at];
        if (byte !== 0x0a && byte !== 0x0d) return this.line;
        if (byte === 0x0a) this.line++;
      }
      this.chunks.shift();
      this.at = 0;
    }
    return this.line;
  }
}

/** CSV with a header row; `responses` and `metadata` cells hold JSON. Each row is numbered by the line it starts on. */
async function* csvLines(file: string, options: ImportOptions): AsyncGenerator<ParsedLine> {
  const index = new LineIndex();
  let end = 0; // the byte just past the last record parsed
  const starts: number[] = []; // the line each record parsed begins on, taken in order by the loop below
  let header: { line: number; record: string[] } | null = null; // set by the parser, so a parse error can still see it
  const parser = createReadStream(file)
    .pipe(index)
    .pipe(
      parseCsv({
        bom: true,
        skip_empty_lines: true,
        max_record_size: MAX_LINE_BYTES,
        // Numbered as the parser reads each record, not as the loop below takes it: a parse error
        // ends the stream with records read but not taken, and it lies in the record after the last one read.
        on_record: (record, { bytes }) => {
          starts.push(index.lineAtContent(end));
          end = bytes;
          header ??= { line: starts.at(-1)!, record };
          return record;
        },
      }),
    );
  // A spreadsheet in some languages saves "CSV" with semicolons; read with commas, every row would fail alike.
  const oneColumnHeader = (): ParsedLine | null => {
    const cell = header?.record.length === 1 ? header.record[0]! : "";
    if (!/[;\t]/.test(cell)) return null;
    return { line: header!.line, error: `The header row is one column, ${JSON.stringify(cell)}: separate the columns with commas (some spreadsheets save CSV with semicolons or tabs).` };
  };
  let columns: string[] | null = null;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const line = starts.shift()!;
      if (columns === null) {
        const refusal = oneColumnHeader();
        if (refusal) {
          yield refusal;
          return;
        }
        columns = record;
        continue;
      }
      const value: Record<string, unknown> = {};
      let error: string | null = null;
      for (const [i, key] of columns.entries()) {
        const cell = record[i];
        if (cell === "" || cell === undefined) continue;
        if (key === "responses" || key === "metadata") {
          try {
            value[key] = JSON.parse(cell);
          } catch {
            error = `Column ${key} must hold JSON.`;
          }
        } else value[key] = cell;
      }
      if (record.join("").includes("\uFFFD")) error = "The line is not valid UTF-8.";
      yield error ? { line, error } : normaliseRecord(value, line, options);
    }
  } catch (err) {
    // The parser's message names its own line count; the line given is where the record begins.
    yield oneColumnHeader() ?? { line: index.lineAtContent(end), error: `CSV: ${(err as Error).message.replace(/ (?:at|on) line \d+/g, "")}` };
  }
}

/** How much of a file's start is looked at to tell binary from text: as much as git looks at. */
const SNIFF_BYTES = 8000;
/** Over this share of NUL or non-UTF-8 characters in that start, a file is not text with a few bad lines. */
const BINARY_SHARE = 0.1;

/**
 * Whether the file is binary rather than UTF-8 text: an image, an archive, a spreadsheet or
 * UTF-16 text is refused whole, where reading it line by line would report a hundred lines of
 * "not valid UTF-8". A text file with a few broken bytes is not: its lines are named.
 */
export async function isBinaryFile(file: string): Promise<boolean> {
  const handle = await open(file);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    const start = buffer.subarray(0, bytesRead).toString("utf8");
    const bad = start.match(/[\u0000\uFFFD]/g)?.length ?? 0;
    return bad > start.length * BINARY_SHARE;
  } finally {
    await handle.close();
  }
}

export function readImportFile(file: string, options: ImportOptions): AsyncGenerator<ParsedLine> {
  return options.format === "csv" ? csvLines(file, options) : jsonlLines(file, options);
}
