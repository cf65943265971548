/**
 * The keys of an import row that Pairwise does not read. Extra keys are allowed: files carry
 * ids, sources and scores on purpose (TRL's `margin`, a dataset's `prompt_id`), and refusing
 * them would break those files. But a key that looks like one Pairwise reads, while that key
 * is missing from the row (`gold_choice` or `Gold` without `gold`, `response-a` without
 * `response_a`, `{text, Source}` without `source`), is almost always that key misspelt: ignored,
 * its value (a gold answer, a response's source) would be lost from every row without a word,
 * and the researcher would find out only when gold accuracy or a lineage came out wrong. So
 * such a row is refused, naming the key to use, and the file is fixed in a minute; anything
 * else unknown is imported and reported (`ignoredKeys` in the result). The messages of a prompt
 * (and of TRL's conversational answers) are checked the same way against `role` and `content`.
 * Pure; no I/O.
 */

import type { IgnoredKey } from "./schema";

/** The keys each row shape reads (its zod schema's, in ./schema.ts; keys.test.ts holds them equal), and a response object's. */
export const rowKeys = {
  pair: ["prompt", "response_a", "response_b", "gold", "metadata"],
  multi: ["prompt", "responses", "metadata"],
  trl: ["prompt", "chosen", "rejected", "metadata"],
} as const;
export type RowShape = keyof typeof rowKeys;
export const responseKeys = ["text", "source", "metadata"] as const;
/** A chat message's keys: in a prompt given as messages, and in TRL's conversational `chosen`/`rejected`. */
export const messageKeys = ["role", "content"] as const;
/** What other chat formats call a message's keys (`{role, text}`, ShareGPT's `{from, value}`): taken for that key misspelt when it is missing. */
const messageAliases: Record<string, (typeof messageKeys)[number]> = { text: "content", value: "content", from: "role" };
/** The fields of a row shape that hold responses (a response may be `{text, source, metadata}`, or in TRL one assistant message). */
const responseFields: Record<RowShape, string[]> = { pair: ["response_a", "response_b"], multi: ["responses"], trl: ["chosen", "rejected"] };

/** An unread key: its path (`source`, `response_a.model`, `responses[].score`, `prompt[].name`) and the known key it is closest to, if any. */
export type UnreadKey = { key: string; suggestion: string | null };
/** A key taken for a known key misspelt, and that key, both as paths (`gold_choice` -> `gold`, `prompt[1].Role` -> `prompt[1].role`). */
export type NearKey = { key: string; meant: string };
export type KeyCheck = { refused: string | null; near: NearKey[]; ignored: UnreadKey[] };

/** Lower case without `-`, `_`, `.` or spaces: `Response A`, `response-a`, `responseA` and `response_a` are one spelling. */
const squash = (key: string) => key.toLowerCase().replace(/[\s_.-]+/g, "");

/** A key's words: split at `-`, `_`, `.`, spaces and camelCase humps, lower-cased. */
const words = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[\s_.-]+/)
    .filter(Boolean);

/** Edits from `a` to `b`: insertions, deletions, substitutions, and swaps of two neighbours (`contnet`), each one typo. */
export function editDistance(a: string, b: string): number {
  // Rows i-2, i-1 and i of the table (optimal string alignment).
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j]!, before[j - 2]! + 1);
    }
    [before, prev] = [prev, cur];
  }
  return prev[b.length]!;
}

/**
 * The known key `key` is spelt like but for case, separators or a typo (one for a key under 8
 * letters, two for a longer one, a swap of neighbours counting one; never a whole added word:
 * `prompt_id` is not `prompt` misspelt), the closest first: `response-b` is `response_b`, one
 * typo from `response_a` too.
 */
function spelledLike(key: string, known: readonly string[]): string | null {
  const k = squash(key);
  let best: { known: string; distance: number } | null = null;
  for (const candidate of known) {
    const n = squash(candidate);
    if (Math.abs(k.length - n.length) > 1) continue;
    const distance = editDistance(k, n);
    if (distance <= (n.length < 8 ? 1 : 2) && (!best || distance < best.distance)) best = { known: candidate, distance };
  }
  return best?.known ?? null;
}

/** `known`'s words appear in order inside `key`'s: `gold_choice`, `is_gold`, `chosen_response`, `Response A text`. */
function mentions(key: string, known: string): boolean {
  const [kw, nw] = [words(key), words(known)];
  for (let i = 0; i + nw.length <= kw.length; i++) if (nw.every((w, j) => kw[i + j] === w)) return true;
  return false;
}

type Verdict = { spelled: string | null; mentioned: string[] };
const verdicts = new WeakMap<readonly string[], Map<string, Verdict>>();
const MAX_CACHED = 10_000;

/** How `key` relates to the known keys: the one it is spelt like, and every one it mentions. Cached: a file repeats its keys on every row. */
function relate(key: string, known: readonly string[]): Verdict {
  let cache = verdicts.get(known);
  if (!cache) verdicts.set(known, (cache = new Map()));
  let v = cache.get(key);
  if (!v) {
    v = { spelled: spelledLike(key, known), mentioned: known.filter((k) => mentions(key, k)) };
    if (cache.size < MAX_CACHED) cache.set(key, v);
  }
  return v;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A path without its message indices: `prompt[2].Role` and `prompt[0].Role` are one misspelling. */
const unindexed = (path: string) => path.replace(/\[\d+\]/g, "[]");

type Found = { near: NearKey[]; ignored: UnreadKey[] };

/**
 * Checks one object's keys against `known`. `at` names where the object sits in a refusal
 * (`prompt[1].`), `path` in the ignored keys (`prompt[].`, one entry for every message).
 */
function checkObject(value: Record<string, unknown>, known: readonly string[], at: string, path: string, out: Found, aliases: Record<string, string> = {}): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const { spelled, mentioned } = relate(key, known);
    // A look-alike of a key the object lacks is taken for that key misspelt; one whose key is there is an extra column.
    const alias = Object.hasOwn(aliases, key) ? aliases[key]! : null;
    const meant = [spelled, ...mentioned, alias].find((k): k is string => k !== null && !Object.hasOwn(value, k));
    if (meant) out.near.push({ key: `${at}${key}`, meant: `${at}${meant}` });
    else out.ignored.push({ key: `${path}${key}`, suggestion: spelled ? `${path}${spelled}` : null });
  }
}

/** Checks the keys of each message of a list, naming a misspelt one by its message's index. */
function checkMessages(value: unknown, field: string, out: Found): void {
  if (!Array.isArray(value)) return;
  value.forEach((message, i) => {
    if (isPlainObject(message)) checkObject(message, messageKeys, `${field}[${i}].`, `${field}[].`, out, messageAliases);
  });
}

const nearList = (near: NearKey[]) => near.map((k) => `\`${k.key}\` (did you mean \`${k.meant}\`?)`).join(", ");
const WHY_REFUSED = "a key this close to one Pairwise reads is refused rather than ignored, so its values are not dropped";

/** The row's unread keys, and a refusal when any of them looks like a known key the row lacks. */
export function checkRowKeys(row: Record<string, unknown>, shape: RowShape): KeyCheck {
  const out: Found = { near: [], ignored: [] };
  checkObject(row, rowKeys[shape], "", "", out);
  checkMessages(row.prompt, "prompt", out);
  for (const field of responseFields[shape]) {
    const value = row[field];
    if (shape === "trl" && Array.isArray(value)) checkMessages(value, field, out);
    const prefix = shape === "multi" ? `${field}[].` : `${field}.`;
    for (const item of shape === "multi" && Array.isArray(value) ? value : [value]) if (isPlainObject(item)) checkObject(item, responseKeys, prefix, prefix, out);
  }
  // One report per key, not per response or message: `responses[].score` once for a row of five, `prompt[0].Content` for every message's.
  const near = out.near.filter((k, i) => out.near.findIndex((other) => unindexed(other.key) === unindexed(k.key)) === i);
  const ignored = [...new Map(out.ignored.map((i) => [i.key, i])).values()];
  const refused = near.length ? `Unknown key${near.length > 1 ? "s" : ""} ${nearList(near)}: ${WHY_REFUSED}; rename it, or remove it.` : null;
  return { refused, near, ignored };
}

/** The same look-alikes, whatever message they sit in: two rows refused for them are refused for one reason. */
export function nearKeysSignature(near: NearKey[]): string {
  return [...new Set(near.map((k) => unindexed(k.key)))].sort().join("\n");
}

/**
 * What the rows refused for the same look-alike keys have, and what to do, for one error in place
 * of a line each (./errors.ts): "`gold_choice`: did you mean `gold`? Rename the key in the file (…)".
 */
export function describeNearKeys(near: NearKey[]): string {
  const keys = [...new Map(near.map((k) => [unindexed(k.key), { key: unindexed(k.key), meant: unindexed(k.meant) }])).values()];
  const what = keys.length === 1 ? `\`${keys[0]!.key}\`: did you mean \`${keys[0]!.meant}\`?` : `${nearList(keys)}.`;
  return `${what} Rename the key${keys.length > 1 ? "s" : ""} in the file (${WHY_REFUSED}).`;
}

const allRowKeys: readonly string[] = [...new Set(Object.values(rowKeys).flat())];

/** For a row that matched no shape: the keys that look like one of any shape's, as a hint (`Response A` -> `response_a`). */
export function lookAlikes(row: Record<string, unknown>): NearKey[] {
  return Object.keys(row).flatMap((key) => {
    if (allRowKeys.includes(key)) return [];
    const { spelled, mentioned } = relate(key, allRowKeys);
    const meant = spelled ?? mentioned[0];
    return meant ? [{ key, meant }] : [];
  });
}

/** One ignored key as the panel and the CLI say it: "`source`: 3 rows, the first on line 2". */
export function describeIgnoredKey(k: IgnoredKey): string {
  const where = k.rows === 1 ? `1 row, line ${k.firstLine}` : `${k.rows} rows, the first on line ${k.firstLine}`;
  return `\`${k.key}\`: ${where}${k.suggestion ? ` (did you mean \`${k.suggestion}\`?)` : ""}`;
}
