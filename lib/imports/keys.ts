/**
 * The keys of an import row that Pairwise does not read. Extra keys are allowed: files carry
 * ids, sources and scores on purpose (TRL's `margin`, a dataset's `prompt_id`), and refusing
 * them would break those files. But a key that looks like one Pairwise reads, while that key
 * is missing from the row (`gold_choice` or `Gold` without `gold`, `response-a` without
 * `response_a`, `{text, Source}` without `source`), is almost always that key misspelt: ignored,
 * its value (a gold answer, a response's source) would be lost from every row without a word,
 * and the researcher would find out only when gold accuracy or a lineage came out wrong. So
 * such a row is refused, naming the key to use, and the file is fixed in a minute; anything
 * else unknown is imported and reported (`ignoredKeys` in the result). Pure; no I/O.
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
/** The fields of a row shape that hold responses (a response may be `{text, source, metadata}`). */
const responseFields: Record<RowShape, string[]> = { pair: ["response_a", "response_b"], multi: ["responses"], trl: ["chosen", "rejected"] };

/** An unread key: its path (`source`, `response_a.model`, `responses[].score`) and the known key it is closest to, if any. */
export type UnreadKey = { key: string; suggestion: string | null };
export type KeyCheck = { refused: string | null; ignored: UnreadKey[] };

/** Lower case without `-`, `_`, `.` or spaces: `Response A`, `response-a`, `responseA` and `response_a` are one spelling. */
const squash = (key: string) => key.toLowerCase().replace(/[\s_.-]+/g, "");

/** A key's words: split at `-`, `_`, `.`, spaces and camelCase humps, lower-cased. */
const words = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[\s_.-]+/)
    .filter(Boolean);

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The known key `key` is spelt like but for case, separators or a typo (one for a key under 8
 * letters, two, a swap, for a longer one, never a whole added word: `prompt_id` is not `prompt`
 * misspelt), the closest first: `response-b` is `response_b`, one typo from `response_a` too.
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

/** Checks one object's keys against `known`; `prefix` names where the object sits. */
function checkObject(value: Record<string, unknown>, known: readonly string[], prefix: string, out: { near: string[]; ignored: UnreadKey[] }): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const { spelled, mentioned } = relate(key, known);
    // A look-alike of a key the object lacks is taken for that key misspelt; one whose key is there is an extra column.
    const meant = [spelled, ...mentioned].find((k): k is string => k !== null && !Object.hasOwn(value, k));
    if (meant) out.near.push(`\`${prefix}${key}\` (did you mean \`${prefix}${meant}\`?)`);
    else out.ignored.push({ key: `${prefix}${key}`, suggestion: spelled ? `${prefix}${spelled}` : null });
  }
}

/** The row's unread keys, and a refusal when any of them looks like a known key the row lacks. */
export function checkRowKeys(row: Record<string, unknown>, shape: RowShape): KeyCheck {
  const out = { near: [] as string[], ignored: [] as UnreadKey[] };
  checkObject(row, rowKeys[shape], "", out);
  for (const field of responseFields[shape]) {
    const value = row[field];
    const prefix = shape === "multi" ? `${field}[].` : `${field}.`;
    for (const item of shape === "multi" && Array.isArray(value) ? value : [value]) if (isPlainObject(item)) checkObject(item, responseKeys, prefix, out);
  }
  // One report per key, not per response: `responses[].score` once for a row of five.
  const near = [...new Set(out.near)];
  const ignored = [...new Map(out.ignored.map((i) => [i.key, i])).values()];
  const refused = near.length
    ? `Unknown key${near.length > 1 ? "s" : ""} ${near.join(", ")}: a key this close to one Pairwise reads is refused rather than ignored, so its values are not dropped; rename it, or remove it.`
    : null;
  return { refused, ignored };
}

const allRowKeys: readonly string[] = [...new Set(Object.values(rowKeys).flat())];

/** For a row that matched no shape: the keys that look like one of any shape's, as a hint (`Response A` -> `response_a`). */
export function lookAlikes(row: Record<string, unknown>): string[] {
  return Object.keys(row).flatMap((key) => {
    if (allRowKeys.includes(key)) return [];
    const { spelled, mentioned } = relate(key, allRowKeys);
    const meant = spelled ?? mentioned[0];
    return meant ? [`\`${meant}\` for \`${key}\``] : [];
  });
}

/** One ignored key as the panel and the CLI say it: "`source`: 3 rows, the first on line 2". */
export function describeIgnoredKey(k: IgnoredKey): string {
  const where = k.rows === 1 ? `1 row, line ${k.firstLine}` : `${k.rows} rows, the first on line ${k.firstLine}`;
  return `\`${k.key}\`: ${where}${k.suggestion ? ` (did you mean \`${k.suggestion}\`?)` : ""}`;
}
