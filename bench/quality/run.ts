/**
 * `npm run bench:quality`: times the campaign quality figures (alpha, agreement, biases,
 * per-labeler table) on a campaign of 100k judgments (40 labelers, ~33k pairs, overlap 3),
 * generated straight in SQL in a scratch database.
 */
import postgres from "postgres";
import { runMigrations } from "@/db/migrate";
import { databaseName } from "@/db/urls";
import { rules } from "@/lib/config/options";
import { recreateDatabase, testServer } from "@/lib/testing/databases";
import { cliNumber, parseCliArgs } from "@/scripts/lib/cli-args";

const USAGE = "Usage: npm run bench:quality [-- --judgments N (default 100000)]";
const { values } = parseCliArgs({ options: { judgments: { type: "string", default: "100000" } } }, USAGE);
const judgments = cliNumber("judgments", values.judgments, rules.count, USAGE);
const pairCount = Math.ceil(judgments / 3);

const server = await testServer({ dataDir: ".data/bench", port: 54335 });
const url = await recreateDatabase(server.url, `${databaseName(server.url)}_bench_quality`);
await runMigrations(url);
const sql = postgres(url, { max: 1, onnotice: () => {} });
const [campaign] = await sql<{ id: string }[]>`insert into campaigns (name, status) values ('bench quality', 'active') returning id`;
const c = campaign!.id;
await sql`insert into users (email, role) select 'labeler' || g || '@bench.local', 'labeler' from generate_series(1, 40) g`;
await sql`insert into prompts (campaign_id, content, content_hash) select ${c}, to_jsonb('prompt ' || g), md5(g::text) from generate_series(1, ${pairCount}) g`;
await sql`insert into responses (prompt_id, text, text_hash) select p.id, 'answer ' || r || ' ' || repeat('x', (r * 7 + length(p.content_hash)) % 40), md5(p.id::text || r) from prompts p, generate_series(1, 2) r`;
await sql`
  insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id, judgment_count)
  select ${c}, p.id, min(r.id::text)::uuid, max(r.id::text)::uuid, 3 from prompts p join responses r on r.prompt_id = p.id group by p.id`;
// Each pair judged by 3 distinct labelers; a choice mostly agreeing with a per-pair truth.
await sql`
  with jobs as (
    select p.id as pair_id, u.id as labeler_id, row_number() over () as n, (hashtext(p.id::text) % 2 = 0) as truth_a
    from (select id, row_number() over (order by id) as k from pairs) p
    join lateral (select id from users order by md5(id::text || p.k::text) limit 3) u on true)
  , leased as (
    insert into assignments (campaign_id, pair_id, labeler_id, status, shown_order, expires_at)
    select ${c}, pair_id, labeler_id, 'completed', case when n % 2 = 0 then 'ab' else 'ba' end, now() from jobs
    returning id, pair_id, labeler_id, shown_order)
  insert into comparisons (client_submission_id, assignment_id, campaign_id, pair_id, labeler_id, choice, strength, shown_order, server_ms)
  select gen_random_uuid(), l.id, ${c}, l.pair_id, l.labeler_id,
         case when random() < 0.1 then 'tie' when (random() < 0.8) = j.truth_a then 'a' else 'b' end,
         1 + floor(random() * 4)::int, l.shown_order, 2000 + floor(random() * 8000)::int
  from leased l join jobs j on j.pair_id = l.pair_id and j.labeler_id = l.labeler_id`;
await sql`update comparisons set strength = null where choice = 'tie'`;
const [count] = await sql<{ n: number }[]>`select count(*)::int as n from comparisons`;
await sql.end();

process.env.DATABASE_URL = url;
const { setDatabaseUrl } = await import("@/lib/env");
setDatabaseUrl(url);
const { campaignQuality } = await import("@/lib/labeling/quality");
const { closeDatabase } = await import("@/db/client");
const times: number[] = [];
let alpha: number | null = null;
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const q = await campaignQuality({ campaignId: c });
  times.push(performance.now() - t);
  alpha = q.alphaOrdinal;
}
console.log(`quality of ${count!.n} judgments: ${times.map((t) => t.toFixed(1)).join(" ms, ")} ms (3 runs); alpha ${alpha?.toFixed(3)}`);
await closeDatabase();
await server.embedded?.stop();
