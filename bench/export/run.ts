/**
 * `npm run bench:export [-- --judgments N] [--keep]`: generates N judgments (default 1M) in a
 * scratch database on DATABASE_URL's server, freezes them as one snapshot, streams it as
 * TRL JSONL to /dev/null in a child process (rows/s, peak RSS), and times `psql \copy` of
 * the same rows (the same join) to CSV in the same run. Targets: peak RSS < 300 MB and
 * export throughput >= 0.5x psql's.
 */
import { execFileSync, spawnSync } from "node:child_process";
import postgres from "postgres";
import { runMigrations } from "@/db/migrate";
import { databaseName } from "@/db/urls";
import { rules } from "@/lib/config/options";
import { recreateDatabase } from "@/lib/testing/databases";
import { cliNumber, parseCliArgs } from "@/scripts/lib/cli-args";

const USAGE = "Usage: npm run bench:export [-- --judgments N (default 1000000)] [--keep]";
const { values } = parseCliArgs({ options: { judgments: { type: "string", default: "1000000" }, keep: { type: "boolean", default: false } } }, USAGE);
const JUDGMENTS = cliNumber("judgments", values.judgments, rules.count, USAGE);
const LABELERS = 4;
const PAIRS = Math.ceil(JUDGMENTS / LABELERS);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error("Set DATABASE_URL to a PostgreSQL server: the bench creates its own database there.");
const scratch = `${databaseName(serverUrl)}_bench_export`;

const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);

console.log(`bench/export: ${JUDGMENTS.toLocaleString("en")} judgments (${PAIRS.toLocaleString("en")} pairs x ${LABELERS} labelers) in database ${scratch}`);
const url = await recreateDatabase(serverUrl, scratch);
await runMigrations(url);
const sql = postgres(url, { max: 1, onnotice: () => {} });

// 1. Generate: prompts (every tenth a conversation), two responses each, pairs, leases, judgments.
let t = performance.now();
const [campaign] = await sql<{ id: string }[]>`insert into campaigns (name, status) values ('bench export', 'active') returning id`;
await sql`insert into users (email, role) select 'bench-labeler-' || k || '@bench.local', 'labeler' from generate_series(1, ${LABELERS}) k`;
await sql`create temp table g as
  select i, gen_random_uuid() as prompt_id, gen_random_uuid() as ra, gen_random_uuid() as rb, gen_random_uuid() as pair_id
  from generate_series(1, ${PAIRS}) i`;
await sql`insert into prompts (id, campaign_id, content, content_hash)
  select prompt_id, ${campaign!.id},
    case when i % 10 = 0
      then jsonb_build_array(jsonb_build_object('role', 'user', 'content', 'Define: term ' || i), jsonb_build_object('role', 'assistant', 'content', 'Which sense?'), jsonb_build_object('role', 'user', 'content', 'The usual one, please.'))
      else to_jsonb('Define, in one or two sentences, the word number ' || i || ' of the glossary.') end,
    md5(i::text) from g`;
await sql`insert into responses (id, prompt_id, text, text_hash)
  select ra, prompt_id, 'Term ' || i || ' names a thing that ' || repeat('is used in practice, ', 1 + i % 5) || 'and that is all.', md5('a' || i) from g
  union all
  select rb, prompt_id, 'A longer answer about term ' || i || ': ' || repeat('it has history, ', 2 + i % 7) || 'and many uses.', md5('b' || i) from g`;
await sql`insert into pairs (id, campaign_id, prompt_id, response_a_id, response_b_id, judgment_count)
  select pair_id, ${campaign!.id}, prompt_id, ra, rb, ${LABELERS} from g`;
await sql`insert into assignments (campaign_id, pair_id, labeler_id, status, shown_order, expires_at)
  select ${campaign!.id}, g.pair_id, u.id, 'completed', case when random() < 0.5 then 'ab' else 'ba' end, now()
  from g cross join (select id from users where email like 'bench-labeler-%') u`;
await sql`insert into comparisons (client_submission_id, assignment_id, campaign_id, pair_id, labeler_id, choice, strength, shown_order, server_ms, active_ms)
  select gen_random_uuid(), a.id, a.campaign_id, a.pair_id, a.labeler_id, case when random() < 0.7 then 'a' else 'b' end,
    1 + floor(random() * 4)::int, a.shown_order, 2000 + floor(random() * 20000)::int, 1500 + floor(random() * 15000)::int
  from assignments a`;
console.log(`generated in ${seconds(t)} s`);

// 2. Snapshot: every vote kept, frozen with one INSERT ... SELECT in createSnapshot's order
//    (createSnapshot itself holds all judgments in memory: right for a campaign, slow at 1M).
t = performance.now();
const [snapshot] = await sql<{ id: string }[]>`insert into dataset_snapshots (name, filters, content_hash, counts)
  values ('bench export', ${sql.json({ campaignIds: [campaign!.id] })}, 'bench', ${sql.json({ rows: JUDGMENTS })}) returning id`;
await sql`insert into snapshot_rows (snapshot_id, ordinal, pair_id, prompt_id, chosen_response_id, rejected_response_id, tie, strength, weight, votes, comparison_id, labeler_id)
  select ${snapshot!.id}, (row_number() over (order by c.pair_id, c.labeler_id) - 1)::int, c.pair_id, p.prompt_id,
    case when c.choice = 'b' then p.response_b_id else p.response_a_id end,
    case when c.choice = 'b' then p.response_a_id else p.response_b_id end,
    false, c.strength, 1, 1, c.id, c.labeler_id
  from comparisons c join pairs p on p.id = c.pair_id`;
await sql`analyze`;
await sql.end({ timeout: 5 });
console.log(`snapshot ${snapshot!.id} frozen in ${seconds(t)} s`);

// 3. psql \copy of the same rows (the export's own join) to CSV; once to warm the cache, once timed.
const copyQuery = `select p.content, rc.text, rr.text, r.strength from snapshot_rows r
  join prompts p on p.id = r.prompt_id join responses rc on rc.id = r.chosen_response_id join responses rr on rr.id = r.rejected_response_id
  where r.snapshot_id = '${snapshot!.id}' and not r.tie order by r.ordinal`.replace(/\s+/g, " ");
const psqlCopy = () => {
  const started = performance.now();
  execFileSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-q", "-c", `\\copy (${copyQuery}) to '/dev/null' with (format csv)`]);
  return performance.now() - started;
};
psqlCopy();
const copyMs = psqlCopy();

// 4. The export, in its own process so that its peak RSS is measured alone.
const child = spawnSync(process.execPath, ["--import", "tsx", "--conditions=react-server", "bench/export/stream.ts", snapshot!.id, "trl"], {
  env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: "silent" },
  encoding: "utf8",
});
if (child.status !== 0) throw new Error(`export failed: ${child.stderr}`);
const result = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as { rows: number; bytes: number; ms: number; peakRssMb: number };

const exportRate = result.rows / (result.ms / 1000);
const copyRate = result.rows / (copyMs / 1000);
const ratio = exportRate / copyRate;
console.log(`\nTRL JSONL export: ${result.rows.toLocaleString("en")} rows, ${(result.bytes / 1e6).toFixed(0)} MB in ${(result.ms / 1000).toFixed(2)} s = ${Math.round(exportRate).toLocaleString("en")} rows/s`);
console.log(`peak RSS of the export process: ${result.peakRssMb.toFixed(0)} MB (target < 300) ${result.peakRssMb < 300 ? "OK" : "FAIL"}`);
console.log(`psql \\copy to CSV, same rows: ${(copyMs / 1000).toFixed(2)} s = ${Math.round(copyRate).toLocaleString("en")} rows/s`);
console.log(`ratio export / psql: ${ratio.toFixed(2)}x (target >= 0.5) ${ratio >= 0.5 ? "OK" : "FAIL"}`);

if (!values.keep) {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${scratch}" with (force)`);
  await admin.end({ timeout: 5 });
}
if (result.peakRssMb >= 300 || ratio < 0.5) process.exitCode = 1;
