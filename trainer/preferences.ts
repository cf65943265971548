/**
 * Preference data for reward modelling and DPO: the row type, a reader for TRL-style JSONL,
 * the train/validation split by prompt, and K-wise batching (every pair of one prompt in the
 * same batch, as InstructGPT does, so a prompt's responses are never split across updates).
 */
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import type { ChatMessage, PromptInput } from "./prompt-format";

export interface PreferenceRow {
  /** Stable id of the prompt; absent: the prompt's text identifies it. */
  promptId?: string;
  prompt: PromptInput;
  chosen: string;
  rejected: string;
  /** Judged strength (or TRL's margin column); mapped to a loss margin by the config. */
  margin?: number;
  /** Per-judgment weight (labeler reliability, vote share); absent: 1. */
  weight?: number;
  /** The judgment was a tie: chosen/rejected is an arbitrary order. */
  tie?: boolean;
}

/** What identifies a prompt for splitting and grouping. */
export function promptKey(row: Pick<PreferenceRow, "promptId" | "prompt">): string {
  return row.promptId ?? promptText(row);
}

/** A prompt as text: itself, or a message list's JSON. */
function promptText(row: Pick<PreferenceRow, "prompt">): string {
  return typeof row.prompt === "string" ? row.prompt : JSON.stringify(row.prompt);
}

function isMessages(v: unknown): v is ChatMessage[] {
  return Array.isArray(v) && v.every((m) => typeof m === "object" && m !== null && ["system", "user", "assistant"].includes(m.role) && typeof m.content === "string");
}

/** TRL's conversational rows hold chosen/rejected as message lists; the response is the last assistant turn. */
function responseText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (isMessages(v)) return v.filter((m) => m.role === "assistant").at(-1)?.content;
  return undefined;
}

/** Parses one JSONL row: {prompt, chosen, rejected[, margin, weight, tie, prompt_id]}; throws with the line number. */
function parsePreferenceRow(raw: unknown, where: string): PreferenceRow {
  if (typeof raw !== "object" || raw === null) throw new Error(`${where}: expected a JSON object`);
  const r = raw as Record<string, unknown>;
  const prompt = typeof r.prompt === "string" || isMessages(r.prompt) ? (r.prompt as PromptInput) : undefined;
  const chosen = responseText(r.chosen);
  const rejected = responseText(r.rejected);
  if (prompt === undefined) throw new Error(`${where}: "prompt" must be a string or a [{role: system|user|assistant, content}] list`);
  if (chosen === undefined || rejected === undefined) throw new Error(`${where}: "chosen" and "rejected" must be strings (or message lists)`);
  const num = (k: string) => {
    if (r[k] === undefined || r[k] === null) return undefined;
    if (typeof r[k] !== "number" || !Number.isFinite(r[k])) throw new Error(`${where}: "${k}" must be a number`);
    return r[k] as number;
  };
  const promptId = r.prompt_id ?? r.promptId;
  return {
    ...(typeof promptId === "string" ? { promptId } : {}),
    prompt,
    chosen,
    rejected,
    ...(num("margin") !== undefined ? { margin: num("margin") } : {}),
    ...(num("weight") !== undefined ? { weight: num("weight") } : {}),
    ...(r.tie === true ? { tie: true } : {}),
  };
}

export function parsePreferenceJsonl(text: string, source = "input"): PreferenceRow[] {
  const rows: PreferenceRow[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw new Error(`${source}:${i + 1}: ${(e as Error).message}`);
    }
    rows.push(parsePreferenceRow(raw, `${source}:${i + 1}`));
  });
  return rows;
}

export async function readPreferenceJsonl(file: string): Promise<PreferenceRow[]> {
  return parsePreferenceJsonl(await fs.readFile(file, "utf8"), file);
}

/** A number in [0, 1) from a prompt key: the same key always lands on the same side. */
function promptHash(key: string, salt = ""): number {
  return createHash("sha256").update(`${salt}\u0000${key}`).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Train/validation split by prompt: a prompt's pairs all go to one side. valFraction of the
 * prompts (by hash, so deterministic and stable as data grows) go to validation; with at least
 * two prompts, validation is never left empty. The hash is of the prompt's text, not its id:
 * a snapshot read from the database and its TRL export (which has no ids) split alike on any
 * database, and two prompt rows with the same text never land on both sides.
 */
export function splitByPrompt<R extends Pick<PreferenceRow, "prompt">>(rows: R[], valFraction: number, salt = ""): { train: R[]; val: R[] } {
  const keys = [...new Set(rows.map(promptText))];
  const hash = new Map(keys.map((k) => [k, promptHash(k, salt)]));
  const valKeys = new Set(keys.filter((k) => hash.get(k)! < valFraction));
  if (valFraction > 0 && valKeys.size === 0 && keys.length >= 2) valKeys.add(keys.reduce((a, b) => (hash.get(a)! <= hash.get(b)! ? a : b)));
  if (valKeys.size === keys.length && keys.length >= 2) valKeys.delete(keys.reduce((a, b) => (hash.get(a)! >= hash.get(b)! ? a : b)));
  const train: R[] = [];
  const val: R[] = [];
  for (const r of rows) (valKeys.has(promptText(r)) ? val : train).push(r);
  return { train, val };
}

/**
 * K-wise batches: prompts' groups of pairs are packed whole into batches of about batchSize
 * pairs (a group larger than batchSize is a batch of its own). Groups are shuffled with the
 * seed; pass no seed for the data's order.
 */
export function kwiseBatches<R extends Pick<PreferenceRow, "promptId" | "prompt">>(rows: R[], batchSize: number, shuffle?: () => number): R[][] {
  const groups = new Map<string, R[]>();
  for (const r of rows) {
    const k = promptKey(r);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const order = [...groups.values()];
  if (shuffle) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(shuffle() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
  const batches: R[][] = [];
  let current: R[] = [];
  for (const g of order) {
    if (current.length > 0 && current.length + g.length > batchSize) {
      batches.push(current);
      current = [];
    }
    current.push(...g);
  }
  if (current.length) batches.push(current);
  return batches;
}

/**
 * Every epoch's K-wise batches, drawn up front in epoch order from `shuffle`. Packing whole
 * groups after a shuffle gives each epoch its own number of batches, so the steps a run will
 * take (its progress and ETA) and the end of each epoch are known only from these.
 */
export function epochBatches<R extends Pick<PreferenceRow, "promptId" | "prompt">>(rows: R[], batchSize: number, epochs: number, shuffle: () => number): R[][][] {
  return Array.from({ length: epochs }, () => kwiseBatches(rows, batchSize, shuffle));
}

/**
 * Prompts for PPO and eval: JSONL rows with a "prompt" (string or message list; SFT and preference
 * rows work as they are) or, for any other file, one prompt per non-empty line. ".gz" is unzipped.
 */
export async function readPromptsFile(file: string): Promise<PromptInput[]> {
  const bytes = await fs.readFile(file);
  const text = (file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
  const jsonl = /\.jsonl(\.gz)?$/.test(file);
  return text
    .split("\n")
    .map((line, i) => [line, i] as const)
    .filter(([line]) => line.trim())
    .map(([line, i]) => {
      if (!jsonl) return line.trim();
      const row = JSON.parse(line) as { prompt?: unknown };
      if (typeof row.prompt === "string" || isMessages(row.prompt)) return row.prompt as PromptInput;
      throw new Error(`${file}:${i + 1}: a row needs "prompt" (a string or a message list)`);
    });
}
