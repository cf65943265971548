/**
 * Property-based fuzzing of every server action (each `"use server"` module under app/),
 * in-process against real Postgres. A client can call an action with any arguments it
 * can encode, so the arguments are hostile: FormData with odd values, files and missing
 * fields, and strings, numbers, objects and nulls where FormData belongs. An action must
 * answer with its result union, or with Next's sign-in redirect or 403; anything else
 * (a throw, or the "went wrong on our side" result) is what Next would answer with a 500.
 * Half the calls come as the page's script sends them (Next's `Next-Action` header), half as a
 * form the browser posts itself before the script ran: a form action's success then redirects to
 * a page of this site, and its refusal sends back the fields, never a secret (a password).
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { campaignOrderingValues, campaignStatusValues, rationaleModeValues, roleValues, snapshotAggregateValues } from "@/db/values";
import { env } from "@/lib/env";
import { apiShapedValue, discoverActionFiles, fuzzSeed, leakIn, oddString } from "@/lib/testing/fuzz";
import { mutate, mutationArb, validBodies } from "@/lib/testing/fuzz-bodies";
import { buildFuzzWorld, callers, cancelFuzzRuns, type Caller, type FuzzWorld } from "@/lib/testing/fuzz-world";
import { inRequestScope } from "@/lib/testing/request-scope";

// Next's cache lives in its server; outside it revalidatePath has nothing to revalidate.
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {} }));

const CALLS_PER_ACTION = 300;
const BATCH = 6;
const seed = fuzzSeed;
const GENERIC_FAILURE = /went wrong on our side/i;

type Param = { name: string; type: string };
type Action = { file: string; name: string; fn: (...args: unknown[]) => Promise<unknown>; fields: string[]; params: Param[] };

/** The declared parameters of each exported function in a module's source, split at top-level commas. */
function declaredParams(source: string): Record<string, Param[]> {
  const out: Record<string, Param[]> = {};
  for (const m of source.matchAll(/export async function (\w+)\(/g)) {
    let depth = 0;
    let current = "";
    const params: string[] = [];
    for (let i = m.index + m[0].length; i < source.length; i++) {
      const ch = source[i]!;
      if (ch === ")" && depth === 0) break;
      if ("<({[".includes(ch)) depth++;
      if (">)}]".includes(ch)) depth--;
      if (ch === "," && depth === 0) {
        params.push(current);
        current = "";
      } else current += ch;
    }
    if (current.trim()) params.push(current);
    out[m[1]!] = params.map((p) => ({ name: p.slice(0, p.indexOf(":")).trim(), type: p.slice(p.indexOf(":") + 1).trim() }));
  }
  return out;
}
const actions: Action[] = [];
let world: FuzzWorld;
let calls = 0;
const outcomes = new Map<string, number>();

const actionFiles = discoverActionFiles();
/** Actions anyone may call: the one-time token they are given is their authorisation (invite, password reset). */
const publicActionFiles = new Set(["app/(account)/actions.ts"]);

beforeAll(async () => {
  for (const file of actionFiles) {
    const mod = (await import(/* @vite-ignore */ `@/${file}`)) as Record<string, unknown>;
    const source = readFileSync(file, "utf8");
    // Field names the module reads (`form.get("kind")`, `num("overlap")`), so generated forms
    // carry them; other one-word literals in calls ride along as stray fields.
    const fields = [...new Set([...source.matchAll(/\b\w+\("(\w+)"\)/g)].map((m) => m[1]!))];
    const params = declaredParams(source);
    for (const [name, fn] of Object.entries(mod)) {
      if (typeof fn === "function") actions.push({ file, name, fn: fn as Action["fn"], fields, params: params[name] ?? [] });
    }
  }
  world = await buildFuzzWorld();
}, 120_000);

afterAll(async () => {
  if (world) await cancelFuzzRuns(world);
  console.log(`action fuzz: ${calls} calls over ${actions.length} actions (seed ${seed}); outcomes ${[...outcomes].map(([k, n]) => `${k}:${n}`).join(" ")}`);
});

/** The world's id for a field or parameter named like `runId` or `campaignIds`, else any of its ids. */
function idFor(name: string, ids: string[]): fc.Arbitrary<string> {
  const known: Record<string, string[]> = {
    campaign: [world.campaign.id],
    snapshot: [world.snapshot.id],
    parentCheckpoint: [world.checkpoint.id],
    run: [world.run.id],
    user: world.victims.map((u) => u.id),
    labeler: [world.users.labeler.id],
    token: world.spareTokenIds,
  };
  const mine = known[name.replace(/Ids?$/, "")];
  return mine ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...mine) }, { weight: 1, arbitrary: fc.constantFrom(...ids) }) : fc.constantFrom(...ids);
}

/** A plausible value for a form field, by its name. */
function plausible(field: string, ids: string[]): fc.Arbitrary<string> {
  const byName: Record<string, fc.Arbitrary<string>> = {
    email: fc.emailAddress(),
    password: fc.string({ minLength: 10, maxLength: 40 }),
    role: fc.constantFrom(...roleValues),
    status: fc.constantFrom(...campaignStatusValues),
    overlap: fc.integer({ min: 1, max: 20 }).map(String),
    goldRate: fc.constantFrom("0", "0.1", "0.5"),
    leaseMinutes: fc.integer({ min: 1, max: 1440 }).map(String),
    undoMinutes: fc.integer({ min: 0, max: 1440 }).map(String),
    ordering: fc.constantFrom(...campaignOrderingValues),
    rationale: fc.constantFrom(...rationaleModeValues),
    aggregate: fc.constantFrom(...snapshotAggregateValues),
    kind: fc.constantFrom("healthcheck", "reward", "sft", "dpo", "ppo", "eval", "score", "generate-pairs", "pretrain"),
    config: fc.oneof(fc.constant(""), fc.constant('{"epochs": 1}'), apiShapedValue(ids).map((v) => JSON.stringify(v) ?? "")),
    minGoldAccuracy: fc.constantFrom("", "0.5", "1"),
  };
  if (byName[field]) return byName[field]!;
  if (/Ids?$/.test(field)) return idFor(field, ids);
  if (/^(allow|ask|include|weight)/.test(field)) return fc.constantFrom("on", "off", "");
  return fc.string({ unit: "binary", minLength: 1, maxLength: 60 });
}

/** A FormData with each of the action's fields plausible, hostile, missing or a file; plus strays. */
function formArb(fields: string[], ids: string[]): fc.Arbitrary<FormData> {
  type Entry = [string, string | { file: Uint8Array; name: string }];
  const entry = (field: string): fc.Arbitrary<Entry[]> =>
    fc.oneof(
      { weight: 40, arbitrary: plausible(field, ids).map((v): Entry[] => [[field, v]]) },
      { weight: 3, arbitrary: oddString(ids).map((v): Entry[] => [[field, v]]) },
      { weight: 2, arbitrary: fc.constant<Entry[]>([]) },
      { weight: 1, arbitrary: fc.array(plausible(field, ids), { minLength: 2, maxLength: 3 }).map((vs): Entry[] => vs.map((v) => [field, v])) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((file): Entry[] => [[field, { file, name: "x.bin" }]]) },
    );
  const strays = fc.array(fc.tuple(fc.string({ maxLength: 12 }), oddString()), { maxLength: 2 });
  return fc.tuple(fc.tuple(...fields.map(entry)), strays).map(([perField, extra]) => {
    const form = new FormData();
    for (const [k, v] of [...perField.flat(), ...extra]) {
      if (typeof v === "string") form.append(k, v);
      else form.append(k, new Blob([new Uint8Array(v.file)]), v.name);
    }
    return form;
  });
}

/** The arguments the action's signature asks for: its form, an id, a plausible object. */
function wellFormedArgs(action: Action, ids: string[], objects: fc.Arbitrary<unknown>): fc.Arbitrary<unknown[]> {
  const byType = ({ name, type }: Param): fc.Arbitrary<unknown> => {
    if (type.includes("FormData")) return formArb(action.fields, ids);
    if (type.startsWith("ActionResult")) return fc.constant(null);
    if (type.startsWith("string")) return type.includes("null") ? fc.oneof(idFor(name, ids), fc.constant(null)) : idFor(name, ids);
    return objects;
  };
  return fc.tuple(...action.params.map(byType));
}

/** One argument of any kind a client could encode: the form, an id, null, a string, an object. */
function argArb(action: Action, ids: string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: formArb(action.fields, ids) },
    { weight: 3, arbitrary: fc.constantFrom(...ids) },
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: oddString(ids) },
    { weight: 2, arbitrary: apiShapedValue(ids) },
    { weight: 1, arbitrary: fc.constant({ ok: false, error: "previous" }) },
  );
}

type Call = { caller: Caller; script: boolean; args: unknown[] };

function describeCall(action: Action, c: Call, outcome: string): string {
  const args = c.args.map((a) => (a instanceof FormData ? `FormData(${JSON.stringify([...a.entries()].map(([k, v]) => [k, typeof v === "string" ? v.slice(0, 80) : "<file>"]))})` : JSON.stringify(a)?.slice(0, 200)));
  return `${action.name} (${action.file}) as ${c.caller}${c.script ? "" : " without script"} with (${args.join(", ")}) -> ${outcome}`;
}

async function problemWith(action: Action, c: Call): Promise<string | null> {
  const headers = new Headers(c.caller === "anonymous" ? {} : { cookie: world.cookies[c.caller] });
  if (c.script) headers.set("next-action", "fuzz");
  const request = new Request("http://localhost:3000/", { method: "POST", headers });
  let result: unknown;
  try {
    result = await inRequestScope(request, () => action.fn(...c.args));
  } catch (err) {
    const digest = String((err as { digest?: unknown })?.digest ?? "");
    if (digest.startsWith("NEXT_REDIRECT")) {
      count("redirect");
      if (c.caller === "anonymous") return digest.includes("/signin") && !publicActionFiles.has(action.file) ? null : describeCall(action, c, `redirect ${digest}`);
      // NEXT_REDIRECT;<type>;<url>;<status>;: after a script-less success, to a page of this site.
      const to = digest.split(";")[2] ?? "";
      return !c.script && to.startsWith("/") && !to.startsWith("//") && !to.startsWith("/signin") ? null : describeCall(action, c, `redirect ${digest}`);
    }
    if (digest === "NEXT_HTTP_ERROR_FALLBACK;403") {
      count("403");
      return c.caller === "anonymous" ? describeCall(action, c, "403 instead of the sign-in redirect") : null;
    }
    count("threw");
    return describeCall(action, c, `threw ${String((err as Error)?.stack ?? err).slice(0, 800)}`);
  } finally {
    calls++;
  }
  if (c.caller === "anonymous" && !publicActionFiles.has(action.file)) return describeCall(action, c, `ran for an anonymous caller: ${JSON.stringify(result)}`);
  const r = result as { ok?: unknown; error?: unknown; sent?: unknown };
  if (typeof r !== "object" || r === null || typeof r.ok !== "boolean") return describeCall(action, c, `returned ${JSON.stringify(result)}`);
  count(r.ok ? "ok" : "refused");
  if (!r.ok) {
    if (typeof r.error !== "string" || !r.error) return describeCall(action, c, `refused without a message: ${JSON.stringify(result)}`);
    if (GENERIC_FAILURE.test(r.error)) return describeCall(action, c, `failed inside (what a 500 would be): ${r.error}`);
    if (c.script && r.sent !== undefined) return describeCall(action, c, `sent the form back to its script: ${JSON.stringify(r.sent).slice(0, 200)}`);
    const secret = typeof r.sent === "object" && r.sent !== null ? Object.keys(r.sent).find((k) => /password|secret|token/i.test(k)) : undefined;
    if (secret) return describeCall(action, c, `sent a secret back: ${secret}`);
    const leak = leakIn(r.error, [env.NEXTAUTH_SECRET!]);
    if (leak) return describeCall(action, c, `leaks ${leak}: ${r.error}`);
  }
  return null;
}

function count(outcome: string): void {
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
}

describe("server action fuzz (real Postgres)", () => {
  it("discovers every server action under app/", () => {
    expect(actionFiles.length).toBeGreaterThanOrEqual(4);
    expect(actions.map((a) => a.name)).toEqual(expect.arrayContaining(["createUserAction", "startRunAction", "createTokenAction", "saveCampaignAction"]));
  });

  it("answers hostile arguments from every caller with a result, a redirect or a 403", async () => {
    const started = performance.now();
    // Objects the API accepts (and mutations of them), for parameters typed `unknown`.
    const objects = fc.oneof(...Object.values(validBodies(world)).map((b) => fc.tuple(b, mutationArb(world.ids)).map(([v, m]) => mutate(v, m))));
    expect(actions.every((a) => a.params.length === a.fn.length), "parameter types read from every action's source").toBe(true);
    for (const action of actions) {
      const call = fc.record({
        caller: fc.constantFrom(...callers),
        script: fc.boolean(),
        args: fc.oneof(
          { weight: 3, arbitrary: wellFormedArgs(action, world.ids, objects) },
          { weight: 1, arbitrary: fc.array(argArb(action, world.ids), { minLength: Math.max(0, action.fn.length - 1), maxLength: action.fn.length + 1 }) },
        ),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(call, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
          const problems = (await Promise.all(batch.map((c) => problemWith(action, c)))).filter((p) => p !== null);
          if (problems.length) throw new Error(problems[0]!);
        }),
        { numRuns: Math.ceil(CALLS_PER_ACTION / BATCH), seed, endOnFailure: true },
      );
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`action fuzz: ${calls} calls in ${seconds.toFixed(1)} s`);
    expect(calls).toBeGreaterThanOrEqual(actions.length * CALLS_PER_ACTION);
  }, 300_000);
});
