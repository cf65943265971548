/**
 * Property-based fuzzing of every route handler under app/api, in-process against real
 * Postgres: hostile bodies, content types, params, queries and headers, from anonymous
 * callers and each role (session cookies and API tokens). No answer may be a 5xx or give
 * away internals. Set FUZZ_SEED to replay a run; the seed is printed.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_BODY_BYTES } from "@/lib/api/handler";
import { env } from "@/lib/env";
import { MAX_IMPORT_BYTES } from "@/lib/imports/upload";
import {
  apiShapedValue,
  contentTypes,
  discoverRouteFiles,
  encodeSegment,
  fuzzSeed,
  headerValue,
  HTTP_METHODS,
  knownQueryKeys,
  leakIn,
  oddString,
  type RouteFile,
} from "@/lib/testing/fuzz";
import { mutate, mutationArb, validBodies } from "@/lib/testing/fuzz-bodies";
import { buildFuzzWorld, callers, cancelFuzzRuns, type Caller, type FuzzWorld } from "@/lib/testing/fuzz-world";
import { inRequestScope } from "@/lib/testing/request-scope";

/** Requests in all; spread evenly over every (route, method). */
const TARGET_REQUESTS = 10_400;
/** Requests sent at once in each property run, so database round trips overlap. */
const BATCH = 6;
const seed = fuzzSeed;

type Handler = (request: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
type LoadedRoute = RouteFile & { handlers: Record<string, Handler> };

const routeFiles = discoverRouteFiles();
let routes: LoadedRoute[] = [];
let world: FuzzWorld;
let sent = 0;
const byStatus = new Map<number, number>();

beforeAll(async () => {
  routes = await Promise.all(
    routeFiles.map(async (r) => {
      const mod = (await import(/* @vite-ignore */ `@/${r.file}`)) as Record<string, unknown>;
      const handlers = Object.fromEntries(HTTP_METHODS.filter((m) => typeof mod[m] === "function").map((m) => [m, mod[m] as Handler]));
      return { ...r, handlers };
    }),
  );
  world = await buildFuzzWorld();
}, 120_000);

afterAll(async () => {
  if (world) await cancelFuzzRuns(world);
  const statuses = [...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(" ");
  console.log(`route fuzz: ${sent} requests over ${routes.length} route files (seed ${seed}); statuses ${statuses}`);
});

type Auth = "cookie" | "bearer" | "garbage-bearer" | "garbage-cookie" | "revoked-looking-token";
type Body = { kind: "none" } | { kind: "text"; text: string } | { kind: "bytes"; bytes: Uint8Array<ArrayBuffer> };

type Sample = {
  method: string;
  caller: Caller;
  auth: Auth;
  garbageAuthorization: string;
  params: (string | string[])[];
  query: [string, string][];
  headers: [string, string][];
  contentType: string | null;
  body: Body;
};

/** Words a catch-all segment (next-auth's `[...nextauth]`) understands, and others. */
const segmentWords = ["csrf", "session", "providers", "signin", "signout", "callback", "credentials", "github", "error", "verify-request", "_log"];
const fuzzedHeaders = ["accept", "x-request-id", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip", "accept-language", "user-agent", "range", "if-none-match", "x-http-method-override", "cookie", "origin", "sec-fetch-site"];

function bodyArb(ids: string[], valid: fc.Arbitrary<Record<string, unknown>> | undefined): fc.Arbitrary<Body> {
  const text = (t: fc.Arbitrary<string>) => t.map((s): Body => ({ kind: "text", text: s }));
  const nearlyValid = valid ? fc.tuple(valid, mutationArb(ids)).map(([v, m]) => JSON.stringify(mutate(v, m))) : fc.constant("{}");
  const bytes = (b: fc.Arbitrary<Uint8Array>) => b.map((x): Body => ({ kind: "bytes", bytes: new Uint8Array(x) }));
  const json = apiShapedValue(ids).map((v) => JSON.stringify(v) ?? "null");
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant<Body>({ kind: "none" }) },
    { weight: valid ? 30 : 1, arbitrary: text(nearlyValid) },
    { weight: 10, arbitrary: text(json) },
    { weight: 2, arbitrary: text(fc.jsonValue().map((v) => JSON.stringify(v))) },
    // truncated JSON
    { weight: 2, arbitrary: text(json.chain((t) => fc.nat(t.length).map((n) => t.slice(0, n)))) },
    { weight: 2, arbitrary: text(fc.string({ unit: "binary", maxLength: 200 })) },
    // raw bytes: mostly not UTF-8
    { weight: 2, arbitrary: bytes(fc.uint8Array({ maxLength: 300 })) },
    // JSON in UTF-16 with a BOM, as some Windows tools write it
    { weight: 1, arbitrary: bytes(json.map((t) => new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, "utf16le")])))) },
    { weight: 1, arbitrary: text(fc.dictionary(fc.string(), oddString(), { maxKeys: 5 }).map((d) => new URLSearchParams(d).toString())) },
    { weight: 1, arbitrary: text(fc.constantFrom("[]", "{}", "null", "0", '""', "true", "{{", '{"a":1}{"a":2}', "\uFEFF{}", '{"__proto__":{"x":1}}', "[".repeat(5000) + "]".repeat(5000))) },
    // over the 1 MB limit
    { weight: 1, arbitrary: fc.constant<Body>({ kind: "text", text: JSON.stringify({ name: "x".repeat(MAX_JSON_BODY_BYTES) }) }) },
  );
}

function sampleArb(route: LoadedRoute, method: string, ids: string[], valid: ReturnType<typeof validBodies>): fc.Arbitrary<Sample> {
  const segment = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: fc.uuid().map(String) }, { weight: 3, arbitrary: oddString() });
  // Next routes a catch-all only with at least one non-empty segment.
  const catchAll = fc.array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...segmentWords) }, { weight: 1, arbitrary: oddString().filter((x) => x !== "") }), { minLength: 1, maxLength: 3 });
  return fc.record({
    method: fc.constant(method),
    caller: fc.constantFrom(...callers),
    auth: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom<Auth>("cookie", "bearer") },
      { weight: 1, arbitrary: fc.constantFrom<Auth>("garbage-bearer", "garbage-cookie", "revoked-looking-token") },
    ),
    garbageAuthorization: fc.oneof(
      fc.constantFrom("Bearer", "Bearer ", "Basic YTpi", "Bearer pw_", "bearer pw_AAAA", `Bearer pw_${"A".repeat(5000)}`, "Bearer a b c", "Token x"),
      headerValue.map((v) => `Bearer ${v}`),
    ),
    params: fc.tuple(...route.params.map((p) => (p.catchAll ? catchAll : segment))) as fc.Arbitrary<(string | string[])[]>,
    query: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...knownQueryKeys), fc.string({ maxLength: 10 })), oddString()), { maxLength: 4 }),
    headers: fc.array(fc.tuple(fc.constantFrom(...fuzzedHeaders), headerValue), { maxLength: 3 }),
    contentType: fc.option(fc.constantFrom(...contentTypes), { nil: null }),
    body: method === "GET" ? fc.constant<Body>({ kind: "none" }) : bodyArb(ids, valid[`${method} ${route.pattern}`]),
  });
}

function buildRequest(route: RouteFile, s: Sample): { request: Request; params: Record<string, string | string[]> } {
  const params: Record<string, string | string[]> = {};
  let i = 0;
  const pathname = route.pattern.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, (_m, name: string) => {
    const value = s.params[i++]!;
    params[name] = value;
    return Array.isArray(value) ? value.map(encodeSegment).join("/") : encodeSegment(value);
  });
  const url = new URL(`http://localhost:3000${pathname}`);
  for (const [k, v] of s.query) url.searchParams.append(k, v);

  const headers = new Headers();
  for (const [k, v] of s.headers) headers.set(k, v);
  if (s.contentType) headers.set("content-type", s.contentType);
  if (s.caller !== "anonymous") {
    const role = s.caller;
    if (s.auth === "cookie" || role === "labeler") headers.set("cookie", world.cookies[role]);
    else if (s.auth === "bearer") headers.set("authorization", `Bearer ${world.tokens[role]}`);
  }
  if (s.auth === "garbage-bearer") headers.set("authorization", s.garbageAuthorization);
  if (s.auth === "garbage-cookie") headers.set("cookie", "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..bad.bad.bad; __Secure-next-auth.session-token=x");
  if (s.auth === "revoked-looking-token") headers.set("authorization", `Bearer pw_${"x".repeat(43)}`);

  const body = s.body.kind === "text" ? s.body.text : s.body.kind === "bytes" ? s.body.bytes : undefined;
  const request = new Request(url, { method: s.method, headers, body: s.method === "GET" || s.method === "HEAD" ? undefined : body });
  return { request, params };
}

function describeSample(route: RouteFile, s: Sample, status: number | string, text: string): string {
  const body = s.body.kind === "text" ? s.body.text.slice(0, 200) : s.body.kind === "bytes" ? `<${s.body.bytes.length} bytes>` : "<none>";
  return `${s.method} ${route.pattern} as ${s.caller}/${s.auth} params=${JSON.stringify(s.params).slice(0, 120)} query=${JSON.stringify(s.query).slice(0, 120)} content-type=${s.contentType} body=${JSON.stringify(body)} -> ${status} ${text.slice(0, 400)}`;
}

function hasMessage(text: string): boolean {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown }; errors?: { message?: unknown }[] };
    if (body.error) return typeof body.error.code === "string" && typeof body.error.message === "string" && body.error.message.length > 0;
    return Array.isArray(body.errors) && body.errors.length > 0 && body.errors.every((e) => typeof e.message === "string" && e.message.length > 0);
  } catch {
    return false;
  }
}

/** Sends one request and returns why its answer is wrong, or null. */
async function problemWith(route: LoadedRoute, s: Sample): Promise<string | null> {
  const { request, params } = buildRequest(route, s);
  let response: Response;
  let text: string;
  try {
    response = await inRequestScope(request, (r) => route.handlers[s.method]!(r, { params: Promise.resolve(params) }));
    text = await response.text();
  } catch (err) {
    // An exception out of a route handler is a 500 from Next.
    return describeSample(route, s, "threw", String((err as Error)?.stack ?? err));
  } finally {
    sent++;
  }
  byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1);
  if (response.status >= 500) return describeSample(route, s, response.status, text);
  const leak = leakIn(text, [env.NEXTAUTH_SECRET!, env.DATABASE_URL!]);
  if (leak) return `leaks ${leak}: ` + describeSample(route, s, response.status, text);
  // Our own routes refuse with {"error": {code, message}} (an import with bad lines: {"errors": [{line, message}]});
  // next-auth's redirect instead.
  if (response.status >= 400 && !route.params.some((p) => p.catchAll) && !hasMessage(text)) {
    return `refusal without a message: ` + describeSample(route, s, response.status, text);
  }
  return null;
}

describe("body limits", () => {
  const admin = () => ({ authorization: `Bearer ${world.tokens.admin}`, "content-type": "application/json" });

  it("refuses a JSON body over 1 MB with 413 on every route that reads one", async () => {
    // The id each route's [id] names, so the request gets as far as reading its body.
    const idFor: Record<string, string> = {
      campaigns: world.campaign.id,
      judgments: world.judgment.id,
      assignments: world.assignmentId,
      users: world.users.labeler.id,
      runs: world.run.id,
    };
    const jsonRoutes = routes.filter((r) => readFileSync(r.file, "utf8").includes("parseJsonBody"));
    expect(jsonRoutes.length).toBeGreaterThan(8);
    const big = JSON.stringify({ name: "x".repeat(MAX_JSON_BODY_BYTES) });
    for (const route of jsonRoutes) {
      const segment = /\/(\w+)\/\[id\]/.exec(route.pattern)?.[1];
      const id = segment ? idFor[segment]! : "";
      const path = route.pattern.replace("[id]", id);
      for (const method of ["POST", "PATCH", "PUT"].filter((m) => route.handlers[m])) {
        for (const headers of [admin(), { ...admin(), "content-length": String(MAX_JSON_BODY_BYTES * 10) }]) {
          const request = new Request(`http://localhost:3000${path}`, { method, headers, body: big });
          const res = await inRequestScope(request, (r) => route.handlers[method]!(r, { params: Promise.resolve({ id }) }));
          const body = (await res.json()) as { error?: { code: string; message: string } };
          expect(res.status, `${method} ${route.pattern}: ${JSON.stringify(body)}`).toBe(413);
          expect(body.error?.message).toMatch(/over 1000000 bytes/);
        }
      }
    }
  });

  it("refuses an import whose declared size is over the import limit with 413, before reading it", async () => {
    const route = routes.find((r) => r.file.includes("/import/"))!;
    const request = new Request(`http://localhost:3000/api/v1/campaigns/${world.campaign.id}/import`, {
      method: "POST",
      headers: { ...admin(), "content-length": String(MAX_IMPORT_BYTES + 1) },
      body: '{"prompt":"p","response_a":"a","response_b":"b"}\n',
    });
    const res = await inRequestScope(request, (r) => route.handlers.POST!(r, { params: Promise.resolve({ id: world.campaign.id }) }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/limited to 512 MB/);
  });
});

describe("route handler fuzz (real Postgres)", () => {
  it("discovers every route handler under app/api", () => {
    expect(routeFiles.length).toBeGreaterThan(20);
    expect(routeFiles.map((r) => r.pattern)).toContain("/api/auth/[...nextauth]");
    expect(routeFiles.map((r) => r.pattern)).toContain("/api/v1/campaigns/[id]/import");
  });

  it("refuses a next-auth path segment with an unpaired surrogate or a NUL with 400 (seed 448178141 found a 500)", async () => {
    // next-auth URI-encodes /signin/ID's provider id into its redirect, and encodeURIComponent throws on a lone surrogate.
    const route = routes.find((r) => r.pattern === "/api/auth/[...nextauth]")!;
    for (const nextauth of [["signin", "\ud800"], ["signin", "x\udfffy", "z"], ["callback", "a\u0000"]]) {
      const request = new Request("http://localhost:3000/api/auth/signin/x", { method: "GET" });
      const res = await inRequestScope(request, (r) => route.handlers.GET!(r, { params: Promise.resolve({ nextauth }) }));
      expect(res.status, JSON.stringify(nextauth)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("bad_request:path");
    }
  });

  it("refuses a repeated /error code when any of them is not a plain word (seed 485827536 found a 500)", async () => {
    // next-auth takes the last of a repeated query key; the check used to read the first.
    const route = routes.find((r) => r.pattern === "/api/auth/[...nextauth]")!;
    for (const query of ["error=JH&error=%F0%9F%98%80", "error=a%0D%0Ab&error=Config", "error=JH&error=Configuration"]) {
      const request = new Request(`http://localhost:3000/api/auth/error?${query}`, { method: "GET" });
      const res = await inRequestScope(request, (r) => route.handlers.GET!(r, { params: Promise.resolve({ nextauth: ["error"] }) }));
      if (query.endsWith("Configuration")) {
        expect(res.status, query).toBeLessThan(400);
      } else {
        expect(res.status, query).toBe(400);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("bad_request:auth_error_code");
      }
    }
  });

  it(`answers ${TARGET_REQUESTS}+ hostile requests without a 5xx or a leak`, async () => {
    const combos = routes.flatMap((r) => Object.keys(r.handlers).map((m) => [r, m] as const));
    expect(combos.length).toBeGreaterThan(25);
    const numRuns = Math.ceil(TARGET_REQUESTS / combos.length / BATCH);
    const valid = validBodies(world);
    const unknown = Object.keys(valid).filter((k) => !combos.some(([r, m]) => `${m} ${r.pattern}` === k));
    expect(unknown, "valid bodies for routes that do not exist").toEqual([]);
    const started = performance.now();
    for (const [route, method] of combos) {
      await fc.assert(
        fc.asyncProperty(fc.array(sampleArb(route, method, world.ids, valid), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
          const problems = (await Promise.all(batch.map((s) => problemWith(route, s)))).filter((p) => p !== null);
          if (problems.length) throw new Error(problems[0]!);
        }),
        { numRuns, seed, endOnFailure: true },
      );
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`route fuzz: ${sent} requests in ${seconds.toFixed(1)} s (${Math.round(sent / seconds)}/s)`);
    expect(sent).toBeGreaterThanOrEqual(TARGET_REQUESTS);
  }, 300_000);
});
