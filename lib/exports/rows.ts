/**
 * The rows behind an export, read with a server-side cursor in batches, so an export of
 * any size holds one batch in memory. Also the counts a manifest reports, from the same
 * queries.
 */
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { db } from "@/db/client";
import type { DatasetSnapshot } from "@/db/schema";
import { snapshotFiltersSchema } from "@/lib/snapshots/schema";
import { judgmentFilterSql } from "@/lib/snapshots/snapshots";
import type { PreferenceSource, TrlJsonSource, VoteSource } from "./render";
import { TEST_PERCENT } from "./render";

/** Rows per cursor fetch: large enough that round trips do not dominate, small enough to stay flat. */
const BATCH_ROWS = 5000;

const dialect = new PgDialect();

/**
 * Batches of a query's rows. The next batch is requested as soon as one is handed out, so
 * the database produces batch k+1 while the caller formats batch k: two batches in memory.
 */
async function* cursor<T>(query: SQL, batchRows = BATCH_ROWS): AsyncGenerator<T[]> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  const batches = db.$client.unsafe(text, params as never[]).cursor(batchRows)[Symbol.asyncIterator]();
  let next = batches.next();
  try {
    for (;;) {
      const { value, done } = await next;
      if (done) return;
      next = batches.next();
      yield value as unknown as T[];
    }
  } finally {
    // Stopped early: let the request in flight settle, then close the cursor.
    await next.catch(() => undefined);
    await batches.return?.();
  }
}

/** Same bucket as `splitOf` in render.ts: md5 of the prompt id, first 32 bits, mod 100. */
export const testBucket = (promptId: SQL) => sql`((('x' || substr(md5(${promptId}::text), 1, 8))::bit(32)::bigint % 100) < ${TEST_PERCENT})`;

// ---------------------------------------------------------------------------------------
// Preferences (TRL, HH, Hugging Face dataset)
// ---------------------------------------------------------------------------------------

/** The snapshot's preference rows with their texts, in snapshot order; ties left out. */
export function preferenceBatches({ snapshotId }: { snapshotId: string }): AsyncGenerator<PreferenceSource[]> {
  return cursor<PreferenceSource>(sql`
    select r.prompt_id as "promptId", p.content as prompt, rc.text as chosen, rr.text as rejected, r.strength, r.weight, r.tie
    from snapshot_rows r
    join prompts p on p.id = r.prompt_id
    join responses rc on rc.id = r.chosen_response_id
    join responses rr on rr.id = r.rejected_response_id
    where r.snapshot_id = ${snapshotId} and not r.tie
    order by r.ordinal`);
}

/**
 * TRL's hot path: the same rows with the texts already JSON-escaped by PostgreSQL (its
 * escaping of text matches JSON.stringify's), so formatting a line is string concatenation.
 * `trlLine` in render.ts builds the bytes `trlRecord` would; a test holds them equal.
 */
export function trlJsonBatches({ snapshotId }: { snapshotId: string }): AsyncGenerator<TrlJsonSource[]> {
  // One form for the whole file (see trlRecord): conversational as soon as one row's prompt is a conversation.
  return cursor<TrlJsonSource>(sql`
    with form as (
      select exists (
        select 1 from snapshot_rows r join prompts p on p.id = r.prompt_id
        where r.snapshot_id = ${snapshotId} and not r.tie and jsonb_typeof(p.content) = 'array'
      ) as conversational
    )
    select form.conversational,
           (case when form.conversational and jsonb_typeof(p.content) <> 'array'
                 then jsonb_build_array(jsonb_build_object('role', 'user', 'content', p.content))
                 else p.content end)::text as "promptJson",
           to_json(rc.text)::text as "chosenJson", to_json(rr.text)::text as "rejectedJson", r.strength
    from form, snapshot_rows r
    join prompts p on p.id = r.prompt_id
    join responses rc on rc.id = r.chosen_response_id
    join responses rr on rr.id = r.rejected_response_id
    where r.snapshot_id = ${snapshotId} and not r.tie
    order by r.ordinal`);
}

export async function preferenceCounts({ snapshotId, split = false }: { snapshotId: string; split?: boolean }) {
  const test = split ? testBucket(sql`prompt_id`) : sql`false`;
  const [row] = await db.execute<{ rows: number; ties: number; prompts: number; test: number; test_prompts: number }>(sql`
    select count(*) filter (where not tie)::int as rows,
           count(*) filter (where tie)::int as ties,
           ${split ? sql`count(distinct prompt_id) filter (where not tie)::int` : sql`0`} as prompts,
           count(*) filter (where not tie and ${test})::int as test,
           count(distinct prompt_id) filter (where not tie and ${test})::int as test_prompts
    from snapshot_rows where snapshot_id = ${snapshotId}`);
  return row!;
}

// ---------------------------------------------------------------------------------------
// Votes (raw votes, Parquet, aggregated)
// ---------------------------------------------------------------------------------------

/**
 * The judgments behind a snapshot, as a `from … where … order by` query. A snapshot that
 * kept every vote names its comparisons; an aggregated one names pairs, so its votes are
 * those pairs' comparisons that pass the snapshot's own filters (the same SQL that made
 * it). Both come out grouped by pair, in snapshot order. Votes are read as stored now:
 * a judgment edited after the snapshot shows its new value.
 */
function votesQuery(snapshot: DatasetSnapshot, columns: SQL): SQL {
  const filters = snapshotFiltersSchema.parse(snapshot.filters);
  if (filters.aggregate === "all") {
    return sql`
      select ${columns}
      from snapshot_rows r
      join comparisons c on c.id = r.comparison_id
      join pairs p on p.id = c.pair_id
      where r.snapshot_id = ${snapshot.id}
      order by r.ordinal`;
  }
  const { goldCte, where } = judgmentFilterSql(filters);
  const kept = ["'a'", "'b'", ...(filters.includeTies ? ["'tie'"] : []), ...(filters.includeBothBad ? ["'both_bad'"] : [])];
  return sql`
    with ${goldCte}
    select ${columns}
    from snapshot_rows r
    join comparisons c on c.pair_id = r.pair_id
    join pairs p on p.id = c.pair_id
    left join gold g on g.labeler_id = c.labeler_id
    where r.snapshot_id = ${snapshot.id} and ${where} and c.choice in (${sql.raw(kept.join(", "))})
    order by r.ordinal, c.labeler_id, c.id`;
}

const voteColumns = sql`
  c.id as "comparisonId", c.pair_id as "pairId", p.prompt_id as "promptId",
  p.response_a_id as "responseAId", p.response_b_id as "responseBId", c.labeler_id as "labelerId",
  c.choice, c.strength, c.shown_order as "shownOrder", c.server_ms as "serverMs", c.active_ms as "activeMs",
  to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt",
  c.rationale, (p.gold_choice is not null) as gold, c.gold_correct as "goldCorrect"`;

export function voteBatches({ snapshot }: { snapshot: DatasetSnapshot }): AsyncGenerator<VoteSource[]> {
  return cursor<VoteSource>(votesQuery(snapshot, voteColumns));
}

export async function voteCounts({ snapshot }: { snapshot: DatasetSnapshot }) {
  const inner = votesQuery(snapshot, sql`c.pair_id, c.labeler_id`);
  const [row] = await db.execute<{ votes: number; pairs: number; labelers: number }>(sql`
    select count(*)::int as votes, count(distinct pair_id)::int as pairs, count(distinct labeler_id)::int as labelers
    from (${inner}) v`);
  return row!;
}
