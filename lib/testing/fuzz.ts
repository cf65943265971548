/**
 * Building blocks of the bad-input fuzz tests: discovery of every route handler and
 * server action under app/ (so a new one is fuzzed without anyone listing it), fast-check
 * arbitraries for hostile requests, and the check that a response gives nothing away.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";

/**
 * The seed CI runs the fuzz tests with, so that its gate gives the same answer on every run of
 * the same code (new seeds explore with `npm run fuzz:explore`). It found the 500 of a repeated
 * /api/auth/error code, fixed since.
 */
const CI_FUZZ_SEED = 485827536;

/** The fast-check seed of this run: FUZZ_SEED replays one; under CI, CI_FUZZ_SEED; else a new one each run (printed by the tests). */
export const fuzzSeed = Number(process.env.FUZZ_SEED ?? (process.env.CI ? CI_FUZZ_SEED : Date.now() % 2 ** 31));

export type RouteFile = {
  /** The module's path, relative to the repository root. */
  file: string;
  /** The URL pattern, e.g. `/api/v1/runs/[id]`. */
  pattern: string;
  /** Dynamic segments in order; a catch-all (`[...x]`) takes a list. */
  params: { name: string; catchAll: boolean }[];
};

function walk(dir: string, visit: (file: string, segments: string[]) => void, segments: string[] = []): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith("_") || entry.name === "node_modules") continue;
      walk(full, visit, /^\(.*\)$/.test(entry.name) ? segments : [...segments, entry.name]);
    } else visit(full, segments);
  }
}

/** Every `route.ts` under app/api, next-auth's included. */
export function discoverRouteFiles(root = "app/api"): RouteFile[] {
  const out: RouteFile[] = [];
  walk(root, (file, segments) => {
    if (path.basename(file) !== "route.ts") return;
    const urlSegments = [...root.split("/").slice(1), ...segments];
    const params = segments.flatMap((s) => {
      const m = /^\[(\.\.\.)?(.+)\]$/.exec(s);
      return m ? [{ name: m[2]!, catchAll: Boolean(m[1]) }] : [];
    });
    out.push({ file, pattern: "/" + urlSegments.join("/"), params });
  });
  return out;
}

/** Every module under app/ that starts with the `"use server"` directive. */
export function discoverActionFiles(root = "app"): string[] {
  const out: string[] = [];
  walk(root, (file) => {
    if (!/\.tsx?$/.test(file)) return;
    const head = readFileSync(file, "utf8").replace(/^(\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, "");
    if (/^["']use server["']/.test(head)) out.push(file);
  });
  return out;
}

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/**
 * Why a response body gives away internals, or null: a stack frame, a source path, SQL
 * or a driver error, an environment secret. Error messages are meant for users; none of
 * these belongs in one.
 */
export function leakIn(text: string, secrets: string[] = []): string | null {
  const patterns: [string, RegExp][] = [
    ["a stack frame", /\bat (?:async )?\S*\s*\(?(?:file:\/\/|\/|node:|webpack)[^\s)]*:\d+(?::\d+)?/],
    ["a stack frame", /\n\s+at \S/],
    ["a source path", new RegExp(escapeRegExp(process.cwd()))],
    ["a source path", /node_modules|\/app\/api\/|\.tsx?:\d+/],
    ["SQL", /Failed query:|\b(?:select|insert into|update|delete from)\b[^"]{0,80}\b(?:from|values|set|where)\b[^"]{0,80}\$\d/i],
    [
      "a database error",
      /syntax error at or near|violates (?:foreign key|unique|not-null|check) constraint|invalid input syntax for|relation "[^"]+" does not exist|column "[^"]+" (?:does not exist|of relation)|duplicate key value|value too long for type|out of range for type|invalid byte sequence for encoding|unsupported Unicode escape|date\/time field value out of range|PostgresError|ECONNREFUSED/i,
    ],
    ["a JavaScript error", /\b(?:TypeError|ReferenceError|RangeError|InvariantError|Invariant:)\b|is not a function|Cannot read properties of/],
    ["the database URL", /postgres(?:ql)?:\/\//],
  ];
  for (const [what, re] of patterns) if (re.test(text)) return `${what} (${re.exec(text)![0].slice(0, 80)})`;
  for (const secret of secrets) if (secret && text.includes(secret)) return "a secret";
  return null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// ---------------------------------------------------------------------------------------
// Arbitraries

/** Strings people and scripts get wrong, and strings attackers send on purpose. */
const nastyStrings = [
  "",
  " ",
  "0",
  "-1",
  "-0",
  "1e308",
  "-9223372036854775809",
  "99999999999999999999999",
  "NaN",
  "Infinity",
  "null",
  "undefined",
  "true",
  "[]",
  "{}",
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "00000000-0000-4000-8000-00000000000G",
  "../../../../etc/passwd",
  "..%2f..%2fetc%2fpasswd",
  "%00",
  "\u0000",
  "a\u0000b",
  "\\u0000",
  "' OR 1=1 --",
  "'; DROP TABLE users; --",
  '"; SELECT pg_sleep(10); --',
  "<script>alert(1)</script>",
  "${jndi:ldap://x/a}",
  "{{7*7}}",
  "__proto__",
  "constructor",
  "\uD800",
  "\uDFFF\uD800",
  "\uFEFF",
  "😀👩‍👩‍👧‍👦",
  "مرحبا",
  "Ω≈ç√∫˜µ≤≥÷",
  "\r\n\r\n",
  "\t",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59+14:00",
  "2024-02-30T00:00:00Z",
  "2024-01-01T00:00:00+99:99",
  "275760-09-13T00:00:00.000Z",
  "-271821-04-20T00:00:00.000Z",
  "x".repeat(10_000),
  "9".repeat(400),
];

/** Enum values and shapes that appear in the API, so random bodies sometimes get past validation. */
const knownValues = [
  "left",
  "right",
  "tie",
  "both_bad",
  "a",
  "b",
  "unclear_prompt",
  "cant_judge",
  "offensive",
  "other",
  "labeler",
  "researcher",
  "admin",
  "draft",
  "active",
  "paused",
  "done",
  "off",
  "optional",
  "required",
  "finish-first",
  "spread",
  "all",
  "majority",
  "healthcheck",
  "reward",
  "sft",
  "dpo",
  "ppo",
  "eval",
  "score",
  "generate-pairs",
  "pretrain",
  "trl",
  "jsonl",
  "csv",
  "parquet",
  "hf-dataset",
  "gold",
  "label",
  "someone@example.com",
  "a-long-enough-password",
  "2024-01-01T00:00:00Z",
];

/** Field names of every request schema in the API. */
const knownKeys = [
  "count",
  "clientSubmissionId",
  "assignmentId",
  "choice",
  "strength",
  "rationale",
  "activeMs",
  "reason",
  "text",
  "name",
  "guidelines",
  "overlap",
  "status",
  "settings",
  "labelerIds",
  "kind",
  "snapshotId",
  "parentCheckpointId",
  "config",
  "checkpointId",
  "rows",
  "filters",
  "campaignIds",
  "from",
  "to",
  "excludeLabelerIds",
  "minGoldAccuracy",
  "includeTies",
  "includeBothBad",
  "aggregate",
  "weightByReliability",
  "allowTie",
  "allowBothBad",
  "askStrength",
  "goldRate",
  "leaseMinutes",
  "undoMinutes",
  "ordering",
  "email",
  "role",
  "password",
  "disabled",
  "prompt",
  "response",
  "response_a",
  "response_b",
  "__proto__",
];

/** Query keys the routes read. */
export const knownQueryKeys = ["since", "format", "gzip", "salt", "anonymised", "trlAs", "maxPairsPerPrompt", "limit", "callbackUrl", "error", "csrf"];

/** Any string, weighted towards the nasty and the plausible. */
export function oddString(extra: string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...nastyStrings) },
    { weight: 2, arbitrary: fc.constantFrom(...knownValues, ...(extra.length ? extra : ["x"])) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
    { weight: 1, arbitrary: fc.uuid().map(String) },
    { weight: 1, arbitrary: fc.integer().map(String) },
    { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
  );
}

/** A JSON value built from the API's own keys and values, nested a few levels. */
export function apiShapedValue(ids: string[]): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    { weight: 4, arbitrary: oddString(ids) },
    { weight: 2, arbitrary: fc.constantFrom(...ids) },
    { weight: 2, arbitrary: fc.integer({ min: -5, max: 25 }) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.constantFrom(0.05, 0.5, 1, 2, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e308) },
    { weight: 2, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
  );
  const { value } = fc.letrec<{ value: unknown; obj: Record<string, unknown> }>((tie) => ({
    value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("obj"), fc.array(tie("value"), { maxLength: 4 })),
    obj: fc.dictionary(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...knownKeys) }, { weight: 1, arbitrary: fc.string() }), tie("value"), { maxKeys: 8 }),
  }));
  return value;
}

/** Header values must be Latin-1 without control characters; anything else is refused by `Headers` itself. */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("", "x", "-1", "' OR 1=1 --", "%00", "null", "a".repeat(8000), "\xff\xfe", "../../etc/passwd"),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 200 }),
);

export const contentTypes = [
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16le",
  "application/x-ndjson",
  "text/plain",
  "text/csv",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=----x",
  "multipart/form-data",
  "application/octet-stream",
  "application/xml",
  "image/png",
  "*/*",
  "application/json\u00ff",
  ";;;",
];

/** Percent-encodes a path segment; lone surrogates (which encodeURIComponent refuses) become U+FFFD. */
export function encodeSegment(s: string): string {
  return encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, "\uFFFD"));
}
