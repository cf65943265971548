/**
 * `npm run bench:research-scale`: the researcher pages and APIs on a team-sized database
 * (bench/research-scale/dataset.ts: a 100,000-pair campaign with 300,000 judgments, 300 runs,
 * a 5,000-iteration PPO run with 110,000 metric points, 30 snapshots), against the production
 * build (`next start`, built first when stale). Prints, per request, the median and slowest
 * time of --repeat tries and the payload size, then EXPLAIN ANALYZE of the run page's
 * metric queries.
 *
 * DATABASE_URL names the server (its database name is the prefix of the scratch one:
 * `<name>_bench_research`). --reuse keeps a dataset an earlier run built (migrations still run);
 * --data-only builds the dataset and stops.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import postgres from "postgres";
import { runMigrations } from "@/db/migrate";
import { databaseName, withDatabase } from "@/db/urls";
import { rules } from "@/lib/config/options";
import { runMetricsQuery } from "@/lib/runs/queue";
import { recreateDatabase } from "@/lib/testing/databases";
import { buildIfStale } from "@/scripts/lib/build-state";
import { cliNumber, parseCliArgs, portRule } from "@/scripts/lib/cli-args";
import { ControlledWeb } from "@/scripts/lib/controlled-servers";
import { buildDataset, SCALE, type Dataset } from "./dataset";

const USAGE =
  "Usage: npm run bench:research-scale [-- --port PORT (default 3650)] [--repeat N (default 5)] [--reuse] [--data-dir DIR (default .data/research-scale)] [--data-only]";
const { values: flags } = parseCliArgs(
  {
    options: {
      port: { type: "string", default: "3650" },
      repeat: { type: "string", default: "5" },
      reuse: { type: "boolean", default: false },
      "data-dir": { type: "string", default: ".data/research-scale" },
      "data-only": { type: "boolean", default: false },
    },
  },
  USAGE,
);
const port = cliNumber("port", flags.port, portRule, USAGE);
const repeat = cliNumber("repeat", flags.repeat, rules.count, USAGE);
const say = (msg: string) => console.log(`[research-scale] ${msg}`);
const PASSWORD = "research-scale-password";
const EMAIL = "scale-researcher@bench.local";

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error("Set DATABASE_URL to a PostgreSQL server (its database name prefixes the scratch database).");
const dbName = `${databaseName(serverUrl)}_bench_research`;

// Stopped however the run ends, so a failed run leaves no server behind.
let web = null as ControlledWeb | null;

/** A signed-in browser, as far as cookies go. */
class Session {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly base: string) {}
  private header = () => [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  async request(method: string, url: string, body?: { json?: unknown; form?: Record<string, string> }): Promise<{ status: number; bytes: number; text: string }> {
    const headers: Record<string, string> = { cookie: this.header() };
    let payload: string | undefined;
    if (body?.json !== undefined) [headers["content-type"], payload] = ["application/json", JSON.stringify(body.json)];
    if (body?.form) [headers["content-type"], payload] = ["application/x-www-form-urlencoded", new URLSearchParams(body.form).toString()];
    const res = await fetch(this.base + url, { method, headers, body: payload, redirect: "manual", signal: AbortSignal.timeout(120_000) });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    const buf = Buffer.from(await res.arrayBuffer());
    return { status: res.status, bytes: buf.length, text: buf.toString("utf8") };
  }
  async signIn(email: string, password: string): Promise<void> {
    const { csrfToken } = JSON.parse((await this.request("GET", "/api/auth/csrf")).text) as { csrfToken: string };
    await this.request("POST", "/api/auth/callback/credentials", { form: { csrfToken, email, password, json: "true" } });
    if (!this.header().includes("next-auth.session-token")) throw new Error(`sign-in failed for ${email}`);
  }
}

type Row = { name: string; medianMs: number; maxMs: number; bytes: number; status: number };

async function measure(session: Session, name: string, method: string, url: string, body?: { json?: unknown }, times = repeat): Promise<Row> {
  // Warm (fills the server's and PostgreSQL's caches); not a POST, which would write once more.
  if (method === "GET") await session.request(method, url, body);
  const ms: number[] = [];
  let last = { status: 0, bytes: 0 };
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    last = await session.request(method, url, typeof body?.json === "function" ? { json: (body.json as () => unknown)() } : body);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const row = { name, medianMs: ms[Math.floor(ms.length / 2)]!, maxMs: ms.at(-1)!, bytes: last.bytes, status: last.status };
  say(`${name.padEnd(44)} ${row.status} ${row.medianMs.toFixed(0).padStart(6)} ms median ${row.maxMs.toFixed(0).padStart(6)} ms max ${(row.bytes / 1024).toFixed(1).padStart(9)} KiB`);
  if (row.status >= 400) throw new Error(`${name}: HTTP ${row.status}`);
  return row;
}

async function main(): Promise<void> {
  let url = withDatabase(serverUrl!, dbName);
  const probe = postgres(serverUrl!, { max: 1, onnotice: () => {} });
  const exists = (await probe`select 1 from pg_database where datname = ${dbName}`).length > 0;
  await probe.end();
  const reuse = flags.reuse && exists;
  if (!reuse) url = await recreateDatabase(serverUrl!, dbName);
  await runMigrations(url);

  const { setDatabaseUrl } = await import("@/lib/env");
  setDatabaseUrl(url);
  const { createUser, findUserByEmail } = await import("@/lib/users/users");
  const { closeDatabase } = await import("@/db/client");
  const sql = postgres(url, { max: 2, onnotice: () => {} });

  let data: Dataset;
  if (reuse) {
    say(`reusing ${dbName}`);
    const researcher = (await findUserByEmail({ email: EMAIL }))!;
    const [c] = await sql<{ id: string }[]>`select id from campaigns where name = 'Helpfulness, large'`;
    const [r] = await sql<{ id: string }[]>`select id from runs where status = 'running' and kind = 'ppo' order by created_at desc limit 1`;
    const small = await sql<{ id: string }[]>`select id from campaigns where name <> 'Helpfulness, large' order by name`;
    data = { researcherId: researcher.id, bigCampaignId: c!.id, bigRunId: r!.id, snapshotCampaignIds: small.map((s) => s.id) };
  } else {
    say(`building the dataset in ${dbName}`);
    const researcher = await createUser({ input: { email: EMAIL, role: "researcher", password: PASSWORD }, actorId: null });
    data = await buildDataset(sql, researcher.id, say);
  }
  await closeDatabase();
  const [counts] = await sql<Record<string, number>[]>`
    select (select count(*) from comparisons)::int as comparisons, (select count(*) from pairs)::int as pairs, (select count(*) from runs)::int as runs,
           (select count(*) from run_metrics)::int as run_metrics, (select count(*) from snapshot_rows)::int as snapshot_rows`;
  say(`dataset: ${Object.entries(counts!).map(([k, v]) => `${v} ${k}`).join(", ")}`);
  if (flags["data-only"]) return void (await sql.end({ timeout: 5 }));

  const dataDir = path.resolve(flags["data-dir"]);
  const webEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url, NEXTAUTH_SECRET: randomBytes(32).toString("hex"), NEXTAUTH_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: "warn" };
  buildIfStale({ ...webEnv, NODE_ENV: "production" }, say);
  web = new ControlledWeb({ port, env: webEnv, logDir: dataDir });
  await web.start();
  const session = new Session(web.baseUrl);
  await session.signIn(EMAIL, PASSWORD);

  const run = data.bigRunId;
  const [{ latest }] = (await sql<{ latest: Date }[]>`select max(at) as latest from run_metrics where run_id = ${run}`) as unknown as [{ latest: Date }];
  const pollSince = new Date(latest.getTime() - 10_000).toISOString(); // the last iteration's points: what a 2 s poll of a live run gets
  const rows: Row[] = [];
  const m = (name: string, u: string, times?: number) => measure(session, name, "GET", u, undefined, times).then((r) => rows.push(r));
  say(`run ${run} (${SCALE.bigRunIterations} iterations), campaign ${data.bigCampaignId}; ${repeat} tries each`);
  await m("run page (HTML)", `/research/runs/${run}`);
  await m("metrics, first load (all points)", `/api/v1/runs/${run}/metrics`);
  await m("metrics, first load (?points=600)", `/api/v1/runs/${run}/metrics?points=600`);
  await m("metrics, poll (?since=last iteration)", `/api/v1/runs/${run}/metrics?since=${encodeURIComponent(pollSince)}`);
  await m("logs, first load", `/api/v1/runs/${run}/logs`);
  await m("logs, poll (?after=2990)", `/api/v1/runs/${run}/logs?after=2990`);
  await m("samples, first page", `/api/v1/runs/${run}/samples`);
  await m("samples, poll (?after=last)", `/api/v1/runs/${run}/samples?after=${SCALE.bigRunIterations}`);
  await m("runs page (HTML)", `/research/runs`);
  await m("runs API (?limit=50)", `/api/v1/runs?limit=50`);
  await m("dashboard (HTML, 30 days)", `/research/dashboard`);
  await m("dashboard (HTML, 90 days)", `/research/dashboard?days=90`);
  await m("dashboard (HTML, big campaign)", `/research/dashboard?campaign=${data.bigCampaignId}`);
  await m("campaign page (HTML, quality)", `/research/campaigns/${data.bigCampaignId}`);
  await m("campaign page, 1,000-pair campaign", `/research/campaigns/${data.snapshotCampaignIds[0]}`);
  await m("campaign quality API", `/api/v1/campaigns/${data.bigCampaignId}/quality`);
  await m("snapshots page (HTML)", `/research/snapshots`);
  await m("exports page (HTML)", `/exports`);
  let n = 0;
  rows.push(
    await measure(session, "create snapshot, big campaign (POST)", "POST", "/api/v1/snapshots", {
      json: () => ({ name: `bench ${Date.now()}-${n++}`, filters: { campaignIds: [data.bigCampaignId] } }),
    }, Math.min(repeat, 2)),
  );

  // The metric queries, as the API sends them to the database.
  const dialect = new PgDialect();
  const explain = async (label: string, query: SQL) => {
    const { sql: text, params } = dialect.sqlToQuery(query);
    const plan = await sql.unsafe(`explain (analyze, buffers) ${text}`, params as string[]);
    const lines = plan.map((r) => String(r["QUERY PLAN"]));
    say(`EXPLAIN ANALYZE ${label}: ${lines.find((l) => l.startsWith("Execution Time")) ?? ""}`);
    for (const l of lines.slice(0, 8)) console.log(`    ${l}`);
  };
  await explain("metrics poll (since)", runMetricsQuery({ runId: run, since: pollSince }));
  await explain("metrics, all of one run", runMetricsQuery({ runId: run }));
  await explain("metrics, thinned (?points=600)", runMetricsQuery({ runId: run, points: 600 }));
  await sql.end({ timeout: 5 });

  console.log("");
  console.log("| request | median ms | max ms | payload |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const r of rows) console.log(`| ${r.name} | ${r.medianMs.toFixed(0)} | ${r.maxMs.toFixed(0)} | ${r.bytes >= 1024 * 1024 ? `${(r.bytes / 1024 / 1024).toFixed(2)} MiB` : `${(r.bytes / 1024).toFixed(1)} KiB`} |`);
}

try {
  await main();
} finally {
  await web?.stop();
}
