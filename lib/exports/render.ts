/**
 * The formats' mapping: one snapshot row or vote in, one output record out. Pure, so each
 * format's rows are tested against hand-written values.
 */
import { createHash, createHmac } from "node:crypto";
import type { ChatMessage, PromptContent } from "@/db/schema";
import type { Choice, ShownOrder } from "@/db/values";
import { formatPrompt } from "@/trainer/prompt-format";
import { fitPairBradleyTerry } from "./bradley-terry";

/** A snapshot row with its texts, as the cursor reads it. */
export type PreferenceSource = {
  promptId: string;
  prompt: PromptContent;
  chosen: string;
  rejected: string;
  strength: number | null;
  weight: number;
  tie: boolean;
};

/** One judgment behind a snapshot, as the cursor reads it. */
export type VoteSource = {
  comparisonId: string;
  pairId: string;
  promptId: string;
  responseAId: string;
  responseBId: string;
  labelerId: string;
  choice: Choice;
  strength: number | null;
  shownOrder: ShownOrder;
  serverMs: number;
  activeMs: number | null;
  /** ISO 8601, UTC, milliseconds (formatted by the query, so no time zone can change it). */
  createdAt: string;
  rationale: string | null;
  gold: boolean;
  goldCorrect: boolean | null;
};

// ---------------------------------------------------------------------------------------
// Preferences: TRL, HH, Hugging Face dataset rows
// ---------------------------------------------------------------------------------------

/**
 * TRL's preference row: standard form (strings), or conversational form (message lists) when
 * `conversational`. TRL decides the form of a whole dataset from its first row (RewardTrainer
 * appends EOS to every row when that one is a string, and fails on a row of messages), so an
 * export writes every row of a snapshot that holds any conversation in conversational form:
 * a plain prompt as one user message.
 */
export function trlRecord(r: PreferenceSource, conversational = Array.isArray(r.prompt)): Record<string, unknown> {
  const prompt = conversational && typeof r.prompt === "string" ? [{ role: "user", content: r.prompt }] : r.prompt;
  const wrap = (text: string) => (conversational ? [{ role: "assistant", content: text }] : text);
  return {
    prompt,
    chosen: wrap(r.chosen),
    rejected: wrap(r.rejected),
    ...(r.strength !== null ? { margin: r.strength } : {}),
  };
}

/**
 * A snapshot row with prompt and responses as JSON text, for the TRL fast path. `conversational`:
 * the snapshot holds a conversation, so every row is written as one, and `promptJson` is then
 * a message list (a plain prompt as one user message).
 */
export type TrlJsonSource = { conversational: boolean; promptJson: string; chosenJson: string; rejectedJson: string; strength: number | null };

/** `JSON.stringify(trlRecord(row, conversational))` without parsing and re-serialising the texts. */
export function trlLine(r: TrlJsonSource): string {
  // jsonb prints objects with spaces; re-serialise the message lists to match JSON.stringify.
  const prompt = r.conversational ? JSON.stringify(JSON.parse(r.promptJson)) : r.promptJson;
  const wrap = (json: string) => (r.conversational ? `[{"role":"assistant","content":${json}}]` : json);
  return `{"prompt":${prompt},"chosen":${wrap(r.chosenJson)},"rejected":${wrap(r.rejectedJson)}${r.strength === null ? "" : `,"margin":${JSON.stringify(r.strength)}`}}`;
}

const HH_SPEAKER: Record<ChatMessage["role"], string> = { system: "Human", user: "Human", assistant: "Assistant" };

/**
 * The HH transcript up to the final "Assistant:". A system message has no HH speaker, so it
 * opens the first Human turn, as HH-style datasets converted from chat data do.
 */
function hhPrefix(prompt: PromptContent): string {
  if (typeof prompt === "string") return `\n\nHuman: ${prompt}\n\nAssistant:`;
  let out = "";
  let pendingSystem = "";
  for (const m of prompt) {
    if (m.role === "system") {
      pendingSystem += `${m.content}\n\n`;
      continue;
    }
    out += `\n\n${HH_SPEAKER[m.role]}: ${m.role === "user" ? pendingSystem : ""}${m.content}`;
    if (m.role === "user") pendingSystem = "";
  }
  if (pendingSystem) out += `\n\nHuman: ${pendingSystem.trimEnd()}`;
  return `${out}\n\nAssistant:`;
}

export function hhRecord(r: PreferenceSource): { chosen: string; rejected: string } {
  const prefix = hhPrefix(r.prompt);
  return { chosen: `${prefix} ${r.chosen}`, rejected: `${prefix} ${r.rejected}` };
}

/** A Hugging Face dataset row: Pairwise's own prompt template, so TRL sees what our trainer sees. */
export function hfRecord(r: PreferenceSource): Record<string, unknown> {
  return {
    prompt: formatPrompt(r.prompt),
    chosen: ` ${r.chosen.trim()}`,
    rejected: ` ${r.rejected.trim()}`,
    prompt_id: r.promptId,
    strength: r.strength,
    weight: r.weight,
  };
}

/** Test share of the split by prompt, in percent. */
export const TEST_PERCENT = 10;

/**
 * Deterministic split by prompt: md5 of the prompt id, first 32 bits, mod 100. The same
 * prompt lands on the same side in every export and every snapshot, so a later round's
 * test prompts were never trained on. `lib/exports/rows.ts` computes the same in SQL.
 */
export function splitOf(promptId: string): "train" | "test" {
  const bucket = parseInt(createHash("md5").update(promptId).digest("hex").slice(0, 8), 16) % 100;
  return bucket < TEST_PERCENT ? "test" : "train";
}

// ---------------------------------------------------------------------------------------
// Votes
// ---------------------------------------------------------------------------------------

/** Pseudonym of a labeler: HMAC-SHA256 keyed by the export's salt, 16 hex digits (64 bits). */
export function pseudonymiser(salt: string): (labelerId: string) => string {
  const cache = new Map<string, string>();
  return (labelerId) => {
    let p = cache.get(labelerId);
    if (!p) {
      p = createHmac("sha256", salt).update(labelerId).digest("hex").slice(0, 16);
      cache.set(labelerId, p);
    }
    return p;
  };
}

/** A vote's fields in the order of the format's field list; rationale only in the full variant. */
export function voteRecord(v: VoteSource, pseudonym: (id: string) => string, anonymised: boolean): Record<string, unknown> {
  return {
    comparison_id: v.comparisonId,
    pair_id: v.pairId,
    prompt_id: v.promptId,
    response_a_id: v.responseAId,
    response_b_id: v.responseBId,
    labeler: pseudonym(v.labelerId),
    choice: v.choice,
    strength: v.strength,
    shown_order: v.shownOrder,
    server_ms: v.serverMs,
    active_ms: v.activeMs,
    created_at: v.createdAt,
    ...(anonymised ? {} : { rationale: v.rationale }),
    gold: v.gold,
    gold_correct: v.goldCorrect,
  };
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF; null is empty.
 * Written here rather than with a CSV library: it is these few lines, and the project's
 * one new dependency went to Parquet. Tests read the output back with csv-parse.
 *
 * A text that a spreadsheet would run as a formula (it begins with =, +, -, @, a tab or a CR)
 * gets a leading ' so Excel, LibreOffice and Sheets show it as text: a labeler's rationale
 * could otherwise be "=HYPERLINK(...)" in the admin's spreadsheet (OWASP's CSV injection).
 * Only strings: numbers and booleans are written as they are. The JSONL and Parquet votes
 * carry the text unchanged.
 */
function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "string" && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(values: unknown[]): string {
  return values.map(csvField).join(",") + "\r\n";
}

// ---------------------------------------------------------------------------------------
// Aggregated per pair
// ---------------------------------------------------------------------------------------

export function aggregateRecord(votes: VoteSource[]): Record<string, unknown> {
  const first = votes[0]!;
  const outcomes = votes.map((v) => (v.choice === "both_bad" ? "tie" : v.choice));
  const count = (o: string) => outcomes.filter((x) => x === o).length;
  const [a, b, tie] = [count("a"), count("b"), count("tie")];
  const top = Math.max(a, b, tie);
  const leaders = (["a", "b", "tie"] as const).filter((o) => count(o) === top);
  const majority = leaders.length === 1 ? leaders[0]! : null;
  const strengths = votes.map((v) => v.strength).filter((s): s is number => s !== null);
  const bt = fitPairBradleyTerry({ winsA: a, winsB: b, ties: tie });
  return {
    pair_id: first.pairId,
    prompt_id: first.promptId,
    response_a_id: first.responseAId,
    response_b_id: first.responseBId,
    votes: votes.length,
    votes_a: a,
    votes_b: b,
    votes_tie: tie,
    majority,
    agreement: majority === null ? null : round(top / votes.length),
    mean_strength: strengths.length ? round(strengths.reduce((x, y) => x + y, 0) / strengths.length) : null,
    bt_logit: round(bt.logit),
    p_a_beats_b: round(bt.pAWins),
  };
}

/** Six decimals: enough for any use, and the same bytes on every machine. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
