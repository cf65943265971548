/**
 * `npm run bench:pairs-delete [-- --pairs N] [--delete M] [--repeats R] [--judged [--without-judgment-index]] [--without-fk-indexes]`:
 * times deleting a campaign of M pairs (default 2,000) from a database that holds N other pairs
 * (default 220,000), the way an admin removes a finished or mistaken campaign with
 * `delete from campaigns where id = ...`. The delete cascades to the campaign's prompts and
 * responses, and every deleted prompt or response makes PostgreSQL look up the pairs that name it
 * (the foreign keys `pairs.prompt_id`, `response_a_id`, `response_b_id`): without an index on those
 * columns each lookup reads the whole pairs table. --judged gives every pair an assignment and a
 * judgment, as a labeled campaign has: each deleted assignment then looks up its judgment by
 * `comparisons.assignment_id` (migration 0019; --without-judgment-index drops that index alone). --without-fk-indexes drops the indexes of
 * migration 0018 (and, with --judged, 0019's on comparisons.assignment_id) first, to show what
 * they save, and builds them again at the end, timed, as the migration does on a database of that size. It also times the one statement that inserts the
 * pairs, what the indexes cost writes. Each delete runs in a transaction that is rolled back, so
 * the repeats time the same delete; --repeats 0 times the insert alone. Uses DATABASE_URL's server (a scratch database on it)
 * or an embedded PostgreSQL under .data/bench.
 */
import postgres from "postgres";
import { runMigrations } from "@/db/migrate";
import { databaseName } from "@/db/urls";
import { rules } from "@/lib/config/options";
import { recreateDatabase, testServer } from "@/lib/testing/databases";
import { cliNumber, parseCliArgs } from "@/scripts/lib/cli-args";

/** Thrown to roll a timed delete back. */
class Rollback extends Error {}

const USAGE = "Usage: npm run bench:pairs-delete [-- --pairs N (default 220000)] [--delete M (default 2000)] [--repeats R (default 3; 0: time the insert only)] [--judged [--without-judgment-index]] [--without-fk-indexes]";
const { values } = parseCliArgs(
  {
    options: {
      pairs: { type: "string", default: "220000" },
      delete: { type: "string", default: "2000" },
      repeats: { type: "string", default: "3" },
      judged: { type: "boolean", default: false },
      "without-judgment-index": { type: "boolean", default: false },
      "without-fk-indexes": { type: "boolean", default: false },
    },
  },
  USAGE,
);
const otherPairs = cliNumber("pairs", values.pairs, rules.count, USAGE);
const deletedPairs = cliNumber("delete", values.delete, rules.count, USAGE);
const repeats = cliNumber("repeats", values.repeats, rules.natural, USAGE);

const server = await testServer({ dataDir: ".data/bench", port: 54335 });
const url = await recreateDatabase(server.url, `${databaseName(server.url)}_bench_pairs_delete`);
const sql = postgres(url, { max: 1, onnotice: () => {} });
try {
  await runMigrations(url);
  if (values["without-fk-indexes"]) {
    await sql`drop index pairs_prompt, pairs_response_a, pairs_response_b`;
    if (values.judged) await sql`drop index comparisons_assignment`;
    console.log(`without the indexes on pairs.prompt_id, response_a_id, response_b_id (migration 0018 undone)${values.judged ? " and on comparisons.assignment_id (0019)" : ""}`);
  } else if (values.judged && values["without-judgment-index"]) {
    await sql`drop index comparisons_assignment`;
    console.log("with the indexes on pairs.prompt_id, response_a_id, response_b_id (migration 0018), without the one on comparisons.assignment_id (0019 undone)");
  } else {
    console.log(`with the indexes on pairs.prompt_id, response_a_id, response_b_id (migration 0018)${values.judged ? " and on comparisons.assignment_id (0019)" : ""}`);
  }

  const t0 = performance.now();
  const campaigns = await sql<{ id: string }[]>`
    insert into campaigns (name) select 'bench ' || i from generate_series(1, 2) i order by i returning id`;
  const [kept, deleted] = [campaigns[0]!.id, campaigns[1]!.id];
  // One prompt and two responses per pair, as an import of distinct prompts writes them.
  for (const [campaignId, n] of [[kept, otherPairs], [deleted, deletedPairs]] as const) {
    await sql`
      insert into prompts (campaign_id, content, content_hash)
      select ${campaignId}, to_jsonb('Explain item ' || i || ' of the reading list.'), md5(${campaignId} || i)
      from generate_series(1, ${n}) i`;
  }
  await sql`
    insert into responses (prompt_id, text, text_hash, source)
    select p.id, 'Answer ' || s || ' to ' || p.content_hash, md5(p.id::text || s), 'imported' from prompts p, generate_series(0, 1) s`;
  // Timed: what the three indexes cost the writes of pairs (an import or generate-pairs inserts them the same way, in one statement).
  const tPairs = performance.now();
  await sql`
    insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id)
    select p.campaign_id, p.id, ra.id, rb.id from prompts p
    join responses ra on ra.prompt_id = p.id and ra.text like 'Answer 0 %'
    join responses rb on rb.prompt_id = p.id and rb.text like 'Answer 1 %'`;
  const pairsSeconds = (performance.now() - tPairs) / 1000;
  if (values.judged) {
    // One labeler's assignment and judgment per pair, as a campaign judged at overlap 1 holds them.
    await sql`insert into users (email, name, role) values ('bench-labeler@pairwise.local', 'bench', 'labeler')`;
    await sql`
      insert into assignments (campaign_id, pair_id, labeler_id, status, shown_order, expires_at)
      select p.campaign_id, p.id, u.id, 'done', 'ab', now() from pairs p, users u where u.email = 'bench-labeler@pairwise.local'`;
    await sql`
      insert into comparisons (client_submission_id, assignment_id, campaign_id, pair_id, labeler_id, choice, shown_order, server_ms)
      select gen_random_uuid(), a.id, a.campaign_id, a.pair_id, a.labeler_id, 'a', 'ab', 1000 from assignments a`;
  }
  await sql`vacuum analyze`;
  const [counts] = await sql<{ pairs: number; prompts: number; responses: number; judgments: number }[]>`
    select (select count(*)::int from pairs) as pairs, (select count(*)::int from prompts) as prompts, (select count(*)::int from responses) as responses,
      (select count(*)::int from comparisons) as judgments`;
  console.log(`built ${counts!.pairs} pairs, ${counts!.prompts} prompts, ${counts!.responses} responses, ${counts!.judgments} judgments in ${((performance.now() - t0) / 1000).toFixed(1)} s; the pairs' one insert statement took ${pairsSeconds.toFixed(1)} s`);

  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await sql
      .begin(async (tx) => {
        const gone = await tx`delete from campaigns where id = ${deleted}`;
        if (gone.count !== 1) throw new Error("the campaign to delete was not found");
        times.push((performance.now() - t) / 1000);
        throw new Rollback();
      })
      .catch((err: unknown) => {
        if (!(err instanceof Rollback)) throw err;
      });
    console.log(`delete of a ${values.judged ? "judged " : ""}${deletedPairs}-pair campaign (${deletedPairs} prompts, ${2 * deletedPairs} responses) beside ${otherPairs} ${values.judged ? "judged " : ""}pairs: ${times.at(-1)!.toFixed(2)} s`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  if (repeats > 0) console.log(`median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} s over ${repeats} (rolled back each time)`);
  if (values["without-fk-indexes"]) {
    // Migration 0018's statements, on this table: what applying it to a database of this size takes.
    const tIndex = performance.now();
    await sql`create index pairs_prompt on pairs using btree (prompt_id)`;
    await sql`create index pairs_response_a on pairs using btree (response_a_id)`;
    await sql`create index pairs_response_b on pairs using btree (response_b_id)`;
    if (values.judged) await sql`create index comparisons_assignment on comparisons using btree (assignment_id)`;
    console.log(`building the ${values.judged ? "four indexes (migration 0018, and 0019's on comparisons.assignment_id)" : "three indexes (migration 0018)"} on ${counts!.pairs} pairs: ${((performance.now() - tIndex) / 1000).toFixed(2)} s`);
  }
} finally {
  await sql.end();
  await server.embedded?.stop();
}
