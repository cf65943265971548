/**
 * `npm run bench:labeling-load`: N simulated labelers (default 200) sign in and label over HTTP
 * against the production build on a real PostgreSQL for a fixed time (default 60 s), then the
 * same judgment writes go straight through postgres.js at the same concurrency (the ceiling).
 * Prints judgments/s, p50/p95/p99 of "next pair" and "submit", errors by kind, the ceiling and
 * the ratio; then checks the clients' ledger against the database: every acknowledged
 * submission stored exactly once, each pair's counter equal to its judgments, and the
 * campaign's quality rows that the triggers keep equal to a recount of its judgments
 * (lib/labeling/quality-recount.ts). Exits non-zero when a check fails.
 *
 * Faults, during the load: --restart-postgres-at S (the bench's own embedded PostgreSQL is
 * stopped and started again; the app must recover without a restart) and --kill-web-at S (the
 * web server is SIGKILLed and started again). Clients retry with the same submission id.
 *
 * Servers: by default the bench starts its own web app (`next start` on --port, built when
 * stale) on a scratch database: on DATABASE_URL's server, or on an embedded PostgreSQL under
 * --data-dir (always so with --restart-postgres-at or --embedded). --base-url uses a running
 * app instead; DATABASE_URL must then name that app's database (users and campaigns are added).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runMigrations } from "@/db/migrate";
import { databaseName } from "@/db/urls";
import { type OptionRule, rules } from "@/lib/config/options";
import { recreateDatabase } from "@/lib/testing/databases";
import { buildIfStale } from "@/scripts/lib/build-state";
import { cliNumber, parseCliArgs, portRule, refuseCli } from "@/scripts/lib/cli-args";
import { measureCeiling } from "./ceiling";
import { Labeler, LoadRecorder } from "./labeler";
import { nearestRank, routeTimes } from "./route-times";
import { ControlledPostgres, ControlledWeb } from "@/scripts/lib/controlled-servers";

const USAGE = [
  "Usage: npm run bench:labeling-load [-- --labelers N (default 200)] [--duration S (default 60)] [--pairs N (default 5000)]",
  "  [--ceiling-seconds S (default 15)] [--ceiling-pool N (default 10)] [--restart-postgres-at S] [--kill-web-at S]",
  "  [--port PORT (default 3104)] [--embedded] [--pg-port PORT (default 54350)] [--data-dir DIR (default .data/load)] [--base-url URL]",
].join("\n");
const { values: flags } = parseCliArgs(
  {
    options: {
      labelers: { type: "string", default: "200" },
      duration: { type: "string", default: "60" },
      "base-url": { type: "string" },
      port: { type: "string", default: "3104" },
      embedded: { type: "boolean", default: false },
      "pg-port": { type: "string", default: "54350" },
      "data-dir": { type: "string", default: ".data/load" },
      pairs: { type: "string", default: "5000" },
      "ceiling-seconds": { type: "string", default: "15" },
      "ceiling-pool": { type: "string", default: "10" },
      "restart-postgres-at": { type: "string" },
      "kill-web-at": { type: "string" },
    },
  },
  USAGE,
);
/** A number flag (NaN for an optional one left out). */
const num = (name: keyof typeof flags, rule: OptionRule = rules.positive) => {
  const raw = flags[name];
  return raw === undefined ? NaN : cliNumber(name, String(raw), rule, USAGE);
};

const say = (msg: string) => console.log(`[load] ${msg}`);
const PASSWORD = "load-bench-password";
const labelerCount = num("labelers", rules.count);
const durationS = num("duration");
const pairCount = num("pairs", rules.count);
const ceilingSeconds = num("ceiling-seconds");
const ceilingPool = num("ceiling-pool", rules.count);
const port = num("port", portRule);
const pgPort = num("pg-port", portRule);
const restartPgAt = num("restart-postgres-at");
const killWebAt = num("kill-web-at");
const baseUrlFlag = flags["base-url"];
if (baseUrlFlag && (!Number.isNaN(restartPgAt) || !Number.isNaN(killWebAt))) {
  refuseCli("--restart-postgres-at and --kill-web-at need servers the bench controls: leave out --base-url.", USAGE);
}
const givenDatabase = process.env.DATABASE_URL;
if (baseUrlFlag && !givenDatabase) refuseCli("--base-url needs DATABASE_URL set to that app's database.", USAGE);

// Stopped however the run ends, so a failed run leaves no server behind.
let pg = null as ControlledPostgres | null;
let web = null as ControlledWeb | null;

async function main(): Promise<void> {
  // 1. Servers: PostgreSQL (the bench's own embedded one when it must restart it), a scratch database.
  const dataDir = path.resolve(flags["data-dir"]);
  let url: string;
  if (baseUrlFlag) {
    url = givenDatabase!;
  } else {
    let serverUrl = givenDatabase;
    if (!serverUrl || flags.embedded || !Number.isNaN(restartPgAt)) {
      pg = new ControlledPostgres({ dataDir, port: pgPort });
      serverUrl = await pg.start();
      say(`embedded PostgreSQL on 127.0.0.1:${pgPort} (data in ${dataDir}/pg)`);
    } else {
      say(`PostgreSQL from DATABASE_URL (${new URL(serverUrl).host})`);
    }
    url = await recreateDatabase(serverUrl, `${databaseName(serverUrl)}_bench_labeling`);
    await runMigrations(url);
  }

  // 2. Accounts and campaigns through the app's own data layer (lib/users, lib/campaigns, lib/imports).
  const { setDatabaseUrl } = await import("@/lib/env");
  setDatabaseUrl(url);
  const { createUser, findUserByEmail } = await import("@/lib/users/users");
  const { createCampaign } = await import("@/lib/campaigns/campaigns");
  const { importFile } = await import("@/lib/imports/import");
  const { closeDatabase, createDatabase } = await import("@/db/client");
  const { compareKeptQuality } = await import("@/lib/labeling/quality-recount");

  async function ensureUser(email: string, role: "labeler" | "researcher") {
    return (await findUserByEmail({ email })) ?? createUser({ input: { email, role, password: PASSWORD }, actorId: null });
  }

  async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    const out: R[] = [];
    for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
    return out;
  }

  let t = performance.now();
  const researcher = await ensureUser("load-researcher@bench.local", "researcher");
  const labelers = await inBatches(
    Array.from({ length: labelerCount }, (_, i) => `load-labeler-${i}@bench.local`),
    8,
    (email) => ensureUser(email, "labeler"),
  );
  const pairsDir = mkdtempSync(path.join(tmpdir(), "pairwise-load-"));
  const pairsFile = path.join(pairsDir, "pairs.jsonl");
  const runTag = new Date().toISOString();
  writeFileSync(
    pairsFile,
    Array.from({ length: pairCount }, (_, i) =>
      JSON.stringify({ prompt: `Load ${runTag}: explain item ${i} in one line.`, response_a: `A short answer about item ${i}.`, response_b: `A longer, more careful answer about item ${i}, with a detail.` }),
    ).join("\n") + "\n",
  );
  async function campaignWithPairs(name: string) {
    const campaign = await createCampaign({ input: { name, status: "active", overlap: 3, settings: { goldRate: 0 } }, actorId: researcher.id });
    const imported = await importFile({ campaignId: campaign.id, file: pairsFile, options: {}, actorId: researcher.id });
    if (!imported.ok || imported.pairsCreated !== pairCount) throw new Error(`import into ${name} made ${imported.pairsCreated} pairs, expected ${pairCount}`);
    return campaign;
  }
  const loadCampaign = await campaignWithPairs(`load ${runTag}`);
  const ceilingCampaign = await campaignWithPairs(`load ceiling ${runTag}`);
  rmSync(pairsDir, { recursive: true, force: true });
  await closeDatabase();
  say(`${labelerCount} labelers and 2 campaigns of ${pairCount} pairs (overlap 3) ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // 3. The web app: the production build, started by the bench unless --base-url names one.
  let baseUrl = baseUrlFlag?.replace(/\/$/, "");
  if (!baseUrl) {
    const webEnv: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: url,
      // Fixed for the run: sessions stay valid across a web-server restart.
      NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    };
    buildIfStale({ ...webEnv, NODE_ENV: "production" }, say);
    web = new ControlledWeb({ port, env: webEnv, logDir: dataDir });
    const { startMs } = await web.start();
    baseUrl = web.baseUrl;
    say(`web app (next start, pid ${web.pid}) answering at ${baseUrl} after ${(startMs / 1000).toFixed(1)} s; its log: ${path.join(dataDir, "web.log")}`);
  }

  // 4. Sign in every labeler (next-auth credentials, cookies kept per labeler).
  t = performance.now();
  const signins = new LoadRecorder(performance.now());
  const clients = labelers.map((l) => new Labeler(baseUrl!, l.email, PASSWORD));
  await inBatches(clients, 16, (c) => c.signIn(signins));
  say(`${clients.length} labelers signed in in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // 5. The load, with the faults scheduled inside it.
  type Fault = { name: string; at: number; back: number; detail: string };
  const faults: Fault[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const load = new LoadRecorder(performance.now());
  const faultRuns: Promise<void>[] = [];
  if (!Number.isNaN(restartPgAt)) {
    faultRuns.push(
      sleep(restartPgAt * 1000).then(async () => {
        const pidBefore = web?.pid;
        const at = load.now();
        const { downMs } = await pg!.restart();
        faults.push({ name: "PostgreSQL restart", at, back: load.now(), detail: `down ${(downMs / 1000).toFixed(1)} s; web pid ${pidBefore} before, ${web?.pid} after` });
        if (web?.pid !== pidBefore) throw new Error("the web server was restarted during the PostgreSQL restart");
      }),
    );
  }
  if (!Number.isNaN(killWebAt)) {
    faultRuns.push(
      sleep(killWebAt * 1000).then(async () => {
        const pidBefore = web!.pid;
        const at = load.now();
        await web!.kill();
        const { startMs } = await web!.start();
        faults.push({ name: "web SIGKILL", at, back: load.now(), detail: `pid ${pidBefore} killed, pid ${web!.pid} answering after ${(startMs / 1000).toFixed(1)} s` });
      }),
    );
  }
  say(`load: ${clients.length} labelers for ${durationS} s${faultRuns.length ? `, faults: ${[!Number.isNaN(restartPgAt) && `PostgreSQL restart at ${restartPgAt} s`, !Number.isNaN(killWebAt) && `web SIGKILL at ${killWebAt} s`].filter(Boolean).join(", ")}` : ""}`);
  const loadFrom = Date.now();
  await Promise.all(clients.map((c) => c.run(loadCampaign.id, durationS * 1000, load)));
  const elapsedS = load.now() / 1000;
  const loadTo = Date.now();
  await Promise.all(faultRuns);

  // 6. The ceiling: the same writes straight through postgres.js, at the same concurrency.
  say(`ceiling: ${labelerCount} concurrent callers through postgres.js (pool ${ceilingPool}) for ${ceilingSeconds} s`);
  const ceiling = await measureCeiling({
    url,
    campaignId: ceilingCampaign.id,
    labelerIds: labelers.map((l) => l.id),
    concurrency: labelerCount,
    seconds: ceilingSeconds,
    poolSize: ceilingPool,
  });

  // 7. The ledger against the database, and the campaign's kept quality rows against a recount.
  const ledgerDb = createDatabase(url, { max: 2 });
  const { sql } = ledgerDb;
  const ackedIds = load.acked.map((a) => a.id);
  const stored = await sql<{ id: string; n: number }[]>`
    select client_submission_id::text as id, count(*)::int as n from comparisons
    where client_submission_id = any(string_to_array(${ackedIds.join(",")}, ',')::uuid[]) group by 1`;
  const storedIds = new Set(stored.map((r) => r.id));
  const lost = ackedIds.filter((id) => !storedIds.has(id)).length;
  const duplicatedById = stored.reduce((n, r) => n + r.n - 1, 0) + (ackedIds.length - new Set(ackedIds).size);
  const campaignRows = await sql<{ id: string }[]>`select client_submission_id::text as id from comparisons where campaign_id = ${loadCampaign.id}`;
  const ackedSet = new Set(ackedIds);
  const storedUnacked = campaignRows.filter((r) => !ackedSet.has(r.id)).length;
  const unknown = campaignRows.filter((r) => !load.attempted.has(r.id)).length;
  const [pairStats] = await sql<{ rows: number; distinct_pairs: number; miscounted: number; overfilled: number }[]>`
    select (select count(*) from comparisons where campaign_id = ${loadCampaign.id})::int as rows,
           (select count(distinct (pair_id, labeler_id)) from comparisons where campaign_id = ${loadCampaign.id})::int as distinct_pairs,
           (select count(*) from pairs p where p.campaign_id = ${loadCampaign.id}
              and p.judgment_count <> (select count(*) from comparisons c where c.pair_id = p.id))::int as miscounted,
           (select count(*) from pairs where campaign_id = ${loadCampaign.id} and judgment_count > 3)::int as overfilled`;
  // One snapshot for both, should anything still be writing.
  const quality = await ledgerDb.db.transaction((tx) => compareKeptQuality({ campaignId: loadCampaign.id, on: tx }), {
    isolationLevel: "repeatable read",
    accessMode: "read only",
  });
  await sql.end({ timeout: 5 });

  // 8. Report.
  function pct(xs: number[], p: number): string {
    if (xs.length === 0) return "-";
    return nearestRank([...xs].sort((a, b) => a - b), p).toFixed(0);
  }
  const latency = (xs: number[]) => `p50 ${pct(xs, 0.5)} ms, p95 ${pct(xs, 0.95)} ms, p99 ${pct(xs, 0.99)} ms (n=${xs.length})`;
  const appRate = load.acked.length / elapsedS;
  const buckets = new Map<number, number>();
  for (const a of load.acked) buckets.set(Math.floor(a.at / 5000), (buckets.get(Math.floor(a.at / 5000)) ?? 0) + 1);
  const timeline = Array.from({ length: Math.ceil(elapsedS / 5) }, (_, i) => buckets.get(i) ?? 0);

  console.log("");
  console.log(`labeling load: ${labelerCount} labelers, ${durationS} s, ${baseUrl}`);
  console.log(`  judgments acknowledged: ${load.acked.length} in ${elapsedS.toFixed(1)} s = ${appRate.toFixed(1)} judgments/s`);
  console.log(`  next pair: ${latency(load.nextMs)}`);
  console.log(`  submit:    ${latency(load.submitMs)}`);
  console.log(`  acknowledged per 5 s: ${timeline.join(" ")}`);
  const errorLines = [...load.errors].sort((a, b) => b[1] - a[1]);
  console.log(`  errors: ${errorLines.length === 0 ? "none" : ""}`);
  for (const [kind, n] of errorLines) console.log(`    ${String(n).padStart(6)}  ${kind}`);
  if (web) {
    // The server's own time per route (lib/api/handler.ts logs each request), the rest of the
    // labelers' latency being the wait for a socket and the way there and back.
    console.log("  the server's own time per request (web log, during the load):");
    for (const r of routeTimes({ log: readFileSync(path.join(dataDir, "web.log"), "utf8"), from: loadFrom, to: loadTo }).slice(0, 6)) {
      console.log(`    ${r.route.padEnd(40)} ${String(r.requests).padStart(6)} requests, median ${r.medianMs} ms, p99 ${r.p99Ms} ms`);
    }
  }
  if (load.exhausted) console.log(`  ${load.exhausted} labelers ran out of pairs (raise --pairs)`);
  console.log(`ceiling (postgres.js, same writes, ${labelerCount} callers, pool ${ceilingPool}): ${ceiling.judgments} in ${ceiling.seconds.toFixed(1)} s = ${ceiling.perSecond.toFixed(1)} judgments/s; ${latency(ceiling.latencyMs)}`);
  console.log(`app / ceiling: ${(appRate / ceiling.perSecond).toFixed(3)}`);

  const failures: string[] = [];
  for (const f of faults) {
    // Recovered from this fault: a judgment acknowledged after the server was back, before any later fault began.
    const nextFault = faults.filter((o) => o.at > f.at).reduce((m, o) => Math.min(m, o.at), Infinity);
    const firstAfter = load.acked.filter((a) => a.at > f.back && a.at < nextFault).reduce((m, a) => Math.min(m, a.at), Infinity);
    const recovered = Number.isFinite(firstAfter);
    console.log(
      `fault: ${f.name} at ${(f.at / 1000).toFixed(1)} s, back at ${(f.back / 1000).toFixed(1)} s (${f.detail}); ` +
        (recovered ? `first acknowledged judgment ${((firstAfter - f.back) / 1000).toFixed(2)} s after` : "no judgment acknowledged after it (before the next fault)"),
    );
    if (!recovered) failures.push(`the app did not recover from the ${f.name}`);
  }
  const expectedFaults = Number(!Number.isNaN(restartPgAt)) + Number(!Number.isNaN(killWebAt));
  if (faults.length !== expectedFaults) failures.push(`only ${faults.length} of ${expectedFaults} faults happened (was --duration shorter than the fault time?)`);
  console.log(
    `ledger: ${ackedIds.length} acknowledged, ${ackedIds.length - lost} stored, ${lost} lost, ${duplicatedById} duplicated; ` +
      `${load.replayed} acknowledged on a resend after an earlier attempt had stored them; ` +
      `${storedUnacked} stored but never acknowledged (the client gave up), ${unknown} rows no client sent`,
  );
  console.log(
    `campaign: ${pairStats!.rows} judgments, ${pairStats!.rows - pairStats!.distinct_pairs} repeated (pair, labeler), ${pairStats!.miscounted} pairs miscounted, ${pairStats!.overfilled} over the overlap`,
  );
  const { pairCounts, kinds, labelers: labelerRows } = quality.kept;
  const keptSize = `${pairCounts.length} pair-count rows, ${kinds.length} kinds, ${labelerRows.length} labelers`;
  console.log(
    quality.differences.length === 0
      ? `kept quality: equal to a recount (${keptSize})`
      : `kept quality: ${quality.differences.length} rows differ from a recount (${keptSize} kept); first: ${quality.differences.slice(0, 3).join("; ")}`,
  );
  if (load.acked.length === 0) failures.push("no judgment was acknowledged");
  if (lost > 0) failures.push(`${lost} acknowledged judgments lost`);
  if (duplicatedById > 0) failures.push(`${duplicatedById} acknowledged judgments stored more than once`);
  if (unknown > 0) failures.push(`${unknown} stored judgments carry an id no client sent`);
  if (pairStats!.rows !== pairStats!.distinct_pairs) failures.push("a labeler judged the same pair twice");
  if (pairStats!.miscounted > 0 || pairStats!.overfilled > 0) failures.push("pair counters disagree with the stored judgments");
  if (quality.differences.length > 0) failures.push("the campaign's kept quality rows differ from a recount of its judgments");
  const gaveUp = errorLines.filter(([k]) => k.includes("gave up")).reduce((n, [, c]) => n + c, 0);
  if (gaveUp > 0) failures.push(`${gaveUp} requests gave up retrying`);
  if (failures.length) {
    console.log(`FAIL: ${failures.join("; ")}`);
    process.exitCode = 1;
  } else {
    console.log("PASS: every acknowledged judgment is stored exactly once; the kept quality rows equal a recount" + (faults.length ? "; the app recovered from every fault" : ""));
  }
}

try {
  await main();
} finally {
  await web?.stop();
  await pg?.stop();
}
