/**
 * The export formats: name, version, file type and field list of each, and who may have
 * which variant. Pure, so the API, the CLI, the page and the tests share one table.
 *
 * Access: admins get every format, in full. Researchers get every format in its
 * anonymised variant. Only the vote formats carry anything about labelers; there the
 * anonymised variant keeps the pseudonymous labeler id but drops the rationale, because
 * free text can name its author or other people. Labelers get nothing.
 */
import type { Role } from "@/db/values";

export const exportFormats = ["trl", "hh", "votes-jsonl", "votes-csv", "aggregated", "parquet", "hf-dataset"] as const;
export type ExportFormat = (typeof exportFormats)[number];

export type ExportField = { name: string; type: string; description: string };

export type FormatSpec = {
  title: string;
  /** Bumped when a field is added, removed or changes meaning. */
  version: string;
  extension: string;
  contentType: string;
  /** One row per: what a line (or Parquet row) of the file is. */
  rowIs: string;
  fields: ExportField[];
  /** Fields present only in the full (admin) variant. */
  fullOnly?: string[];
};

export const exportRoles: Role[] = ["researcher", "admin"];

const voteFields: ExportField[] = [
  { name: "comparison_id", type: "uuid", description: "The judgment." },
  { name: "pair_id", type: "uuid", description: "The pair judged." },
  { name: "prompt_id", type: "uuid", description: "The pair's prompt." },
  { name: "response_a_id", type: "uuid", description: "Response A (canonical order)." },
  { name: "response_b_id", type: "uuid", description: "Response B (canonical order)." },
  { name: "labeler", type: "string", description: "HMAC-SHA256(salt, labeler id), first 16 hex digits: stable within one export, unlinkable across salts." },
  { name: "choice", type: "a | b | tie | both_bad", description: "The judgment, in canonical A/B order (not screen order)." },
  { name: "strength", type: "integer 1-4 | null", description: "1 negligibly, 2 slightly, 3 clearly, 4 much better; null when not asked or not a preference." },
  { name: "shown_order", type: "ab | ba", description: "Which response was on the left: ab = A left." },
  { name: "server_ms", type: "integer", description: "From when the pair came on screen to submit, measured by the server (ms): from its lease, or from the labeler's previous judgment or skip in the campaign when the pair was leased ahead of it." },
  { name: "active_ms", type: "integer | null", description: "Time the page was visible and focused, measured by the client (ms)." },
  { name: "created_at", type: "ISO 8601 UTC", description: "When the judgment was stored." },
  { name: "rationale", type: "string | null", description: "The labeler's free-text reason. Full (admin) variant only." },
  { name: "gold", type: "boolean", description: "The pair is a gold pair (has a known answer)." },
  { name: "gold_correct", type: "boolean | null", description: "For gold pairs: whether the choice matched the known answer." },
];

const trlFields: ExportField[] = [
  { name: "prompt", type: "string | message list", description: "The prompt; in TRL's conversational form, a list of {role, content} messages, which every row has when any prompt of the snapshot is a conversation (a plain prompt as one user message), since TRL reads a file's form from its first row." },
  { name: "chosen", type: "string | message list", description: "The preferred response; [{role: assistant, content}] in conversational form." },
  { name: "rejected", type: "string | message list", description: "The other response, in the same form." },
  { name: "margin", type: "number", description: "Judged strength 1-4 (mean over votes when aggregated); absent when not asked." },
];

export const formatSpecs: Record<ExportFormat, FormatSpec> = {
  trl: {
    title: "TRL preference JSONL",
    version: "1.1",
    extension: "jsonl",
    contentType: "application/x-ndjson",
    rowIs: "snapshot row that is a preference (ties dropped)",
    fields: trlFields,
  },
  hh: {
    title: "Anthropic HH transcripts (JSONL)",
    version: "1.0",
    extension: "jsonl",
    contentType: "application/x-ndjson",
    rowIs: "snapshot row that is a preference (ties dropped)",
    fields: [
      { name: "chosen", type: "string", description: "\\n\\nHuman: …\\n\\nAssistant: … transcript ending with the preferred response; conversations rendered turn by turn." },
      { name: "rejected", type: "string", description: "The same transcript ending with the other response." },
    ],
  },
  "votes-jsonl": {
    title: "Raw votes (JSONL)",
    version: "1.0",
    extension: "jsonl",
    contentType: "application/x-ndjson",
    rowIs: "judgment",
    fields: voteFields,
    fullOnly: ["rationale"],
  },
  "votes-csv": {
    title: "Raw votes (CSV)",
    version: "1.0",
    extension: "csv",
    contentType: "text/csv; charset=utf-8",
    rowIs: "judgment",
    fields: voteFields,
    fullOnly: ["rationale"],
  },
  parquet: {
    title: "Raw votes (Parquet)",
    version: "1.0",
    extension: "parquet",
    contentType: "application/vnd.apache.parquet",
    rowIs: "judgment",
    fields: voteFields,
    fullOnly: ["rationale"],
  },
  aggregated: {
    title: "Votes aggregated per pair (JSONL)",
    version: "1.0",
    extension: "jsonl",
    contentType: "application/x-ndjson",
    rowIs: "pair",
    fields: [
      { name: "pair_id", type: "uuid", description: "The pair." },
      { name: "prompt_id", type: "uuid", description: "Its prompt." },
      { name: "response_a_id", type: "uuid", description: "Response A." },
      { name: "response_b_id", type: "uuid", description: "Response B." },
      { name: "votes", type: "integer", description: "Judgments of the pair." },
      { name: "votes_a", type: "integer", description: "Votes for A." },
      { name: "votes_b", type: "integer", description: "Votes for B." },
      { name: "votes_tie", type: "integer", description: "Tie and both-bad votes." },
      { name: "majority", type: "a | b | tie | null", description: "The most frequent outcome (both_bad counted as tie); null when the top outcomes are level." },
      { name: "agreement", type: "number 0-1", description: "Share of votes that equal the majority; null without a majority." },
      { name: "mean_strength", type: "number | null", description: "Mean strength over the votes that gave one." },
      { name: "bt_logit", type: "number", description: "MAP Bradley-Terry score difference s_A - s_B, Normal(0, 1) prior, ties as half a win each." },
      { name: "p_a_beats_b", type: "number 0-1", description: "sigmoid(bt_logit): the fitted P(A preferred to B)." },
    ],
  },
  "hf-dataset": {
    title: "Hugging Face dataset folder (tar)",
    version: "1.0",
    extension: "tar",
    contentType: "application/x-tar",
    rowIs: "line of data/train.jsonl or data/test.jsonl: a preference (ties dropped)",
    fields: [
      { name: "prompt", type: "string", description: "The prompt in Pairwise's template (\"User: …\\nAssistant:\"), conversations turn by turn." },
      { name: "chosen", type: "string", description: "\" \" + the preferred response (the continuation of the prompt)." },
      { name: "rejected", type: "string", description: "\" \" + the other response." },
      { name: "prompt_id", type: "uuid", description: "Groups rows of one prompt; the train/test split is by this id." },
      { name: "strength", type: "number | null", description: "Judged strength 1-4 (not TRL's `margin`, so trainers ignore it unless renamed)." },
      { name: "weight", type: "number", description: "The snapshot row's weight (reliability or vote share; 1 when unweighted)." },
    ],
  },
};

/** What a caller of this role may export: null when nothing. */
export function exportAccess(role: Role): { anonymisedOnly: boolean } | null {
  if (role === "admin") return { anonymisedOnly: false };
  if (role === "researcher") return { anonymisedOnly: true };
  return null;
}

/** The fields a variant of a format carries. */
export function fieldsOf(format: ExportFormat, anonymised: boolean): ExportField[] {
  const spec = formatSpecs[format];
  return anonymised ? spec.fields.filter((f) => !spec.fullOnly?.includes(f.name)) : spec.fields;
}

export function exportFilename({ snapshotId, format, gzip }: { snapshotId: string; format: ExportFormat; gzip: boolean }): string {
  return `pairwise-${snapshotId.slice(0, 8)}-${format}.${formatSpecs[format].extension}${gzip ? ".gz" : ""}`;
}
