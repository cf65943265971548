/**
 * Dataset snapshots: an immutable set of preferences chosen by filters, frozen as rows and
 * identified by a SHA-256 over their canonical serialisation, so the same data always
 * hashes the same and any changed judgment changes the hash.
 */
import "server-only";
import { createHash } from "node:crypto";
import { desc, eq, sql, type SQL } from "drizzle-orm";
import { db, type Database } from "@/db/client";
import { datasetSnapshots, snapshotRows, type DatasetSnapshot, type PromptContent } from "@/db/schema";
import type { Choice } from "@/db/values";
import { recordAudit } from "@/lib/audit/audit";
import { AppError } from "@/lib/errors";
import { majority } from "@/lib/stats/agreement";
import { oneCoinDawidSkene } from "@/lib/stats/reliability";
import type { PreferenceRow } from "@/trainer/preferences";
import { createSnapshotSchema, type CreateSnapshotInput, type SnapshotFilters } from "./schema";

type Judgment = {
  comparison_id: string;
  pair_id: string;
  prompt_id: string;
  labeler_id: string;
  response_a_id: string;
  response_b_id: string;
  choice: Choice;
  strength: number | null;
};

type FrozenRow = Omit<typeof snapshotRows.$inferInsert, "snapshotId" | "ordinal">;

/**
 * The judgments a snapshot's filters select, as two fragments over `comparisons c`: a `gold`
 * CTE (per-labeler gold accuracy) to put in a `with`, and the `where` conditions, which
 * read it through `left join gold g on g.labeler_id = c.labeler_id`. Exports reuse them
 * to find the votes behind an aggregated snapshot.
 */
export function judgmentFilterSql(f: SnapshotFilters): { goldCte: SQL; where: SQL } {
  const campaigns = f.campaignIds.join(",");
  return {
    goldCte: sql`gold as (
      select labeler_id, count(*) as n, avg(case when gold_correct then 1.0 else 0.0 end) as accuracy
      from comparisons where gold_correct is not null
        and campaign_id = any(string_to_array(${campaigns}, ',')::uuid[])
      group by labeler_id)`,
    where: sql`c.campaign_id = any(string_to_array(${campaigns}, ',')::uuid[])
      ${f.from ? sql`and c.created_at >= ${f.from}` : sql``}
      ${f.to ? sql`and c.created_at < ${f.to}` : sql``}
      ${f.labelerIds.length ? sql`and c.labeler_id = any(string_to_array(${f.labelerIds.join(",")}, ',')::uuid[])` : sql``}
      ${f.excludeLabelerIds.length ? sql`and not (c.labeler_id = any(string_to_array(${f.excludeLabelerIds.join(",")}, ',')::uuid[]))` : sql``}
      ${f.minGoldAccuracy !== undefined ? sql`and (g.n is null or g.n < 5 or g.accuracy >= ${f.minGoldAccuracy})` : sql``}`,
  };
}

async function selectJudgments(f: SnapshotFilters): Promise<Judgment[]> {
  const { goldCte, where } = judgmentFilterSql(f);
  return db.execute<Judgment>(sql`
    with ${goldCte}
    select c.id as comparison_id, c.pair_id, p.prompt_id, c.labeler_id, p.response_a_id, p.response_b_id, c.choice, c.strength
    from comparisons c
    join pairs p on p.id = c.pair_id
    left join gold g on g.labeler_id = c.labeler_id
    where ${where}
    order by c.pair_id, c.labeler_id`);
}

/** The frozen rows for these judgments, in canonical order. Pure. */
function buildRows(judgments: Judgment[], f: SnapshotFilters, reliability: Map<string, number>): FrozenRow[] {
  const keep = judgments.filter((j) => (j.choice === "tie" ? f.includeTies : j.choice === "both_bad" ? f.includeBothBad : true));
  const orient = (j: Judgment, choice: Choice) =>
    choice === "b" ? { chosenResponseId: j.response_b_id, rejectedResponseId: j.response_a_id } : { chosenResponseId: j.response_a_id, rejectedResponseId: j.response_b_id };
  let rows: FrozenRow[];
  if (f.aggregate === "all") {
    rows = keep.map((j) => ({
      pairId: j.pair_id,
      promptId: j.prompt_id,
      ...orient(j, j.choice),
      tie: j.choice === "tie" || j.choice === "both_bad",
      strength: j.strength,
      weight: f.weightByReliability ? (reliability.get(j.labeler_id) ?? 0.5) : 1,
      votes: 1,
      comparisonId: j.comparison_id,
      labelerId: j.labeler_id,
    }));
  } else {
    const byPair = new Map<string, Judgment[]>();
    for (const j of keep) {
      const list = byPair.get(j.pair_id);
      if (list) list.push(j);
      else byPair.set(j.pair_id, [j]);
    }
    rows = [];
    for (const js of byPair.values()) {
      const outcome = majority(js.map((j) => (j.choice === "both_bad" ? "tie" : j.choice)));
      if (outcome === null) continue;
      const winners = js.filter((j) => (j.choice === "both_bad" ? "tie" : j.choice) === outcome);
      const strengths = winners.map((j) => j.strength).filter((s): s is number => s !== null);
      rows.push({
        pairId: js[0]!.pair_id,
        promptId: js[0]!.prompt_id,
        ...orient(js[0]!, outcome),
        tie: outcome === "tie",
        strength: strengths.length ? strengths.reduce((a, b) => a + b, 0) / strengths.length : null,
        weight: f.weightByReliability ? winners.length / js.length : 1,
        votes: js.length,
        comparisonId: null,
        labelerId: null,
      });
    }
  }
  const key = (r: FrozenRow) => `${r.pairId}|${r.labelerId ?? ""}|${r.chosenResponseId}`;
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** SHA-256 over one JSON line per row; weights rounded so float noise cannot change it. */
export function contentHash(rows: FrozenRow[]): string {
  const hash = createHash("sha256");
  for (const r of rows) {
    hash.update(
      JSON.stringify([r.pairId, r.promptId, r.chosenResponseId, r.rejectedResponseId, r.tie, r.strength ?? null, Math.round((r.weight ?? 1) * 1e6) / 1e6, r.votes, r.labelerId ?? null]) + "\n",
    );
  }
  return hash.digest("hex");
}

/** Rows one insert statement carries: each column goes as one array parameter of this many values. */
const SNAPSHOT_ROWS_PER_INSERT = 50_000;

/**
 * Writes a snapshot's rows, `ordinal` being the index in `rows`. Each column is sent as one array
 * and unnested by the database, one statement per SNAPSHOT_ROWS_PER_INSERT rows: a multi-row
 * VALUES of 1,000 rows at a time spent most of a 225,000-row snapshot's 24 s (bench/research-scale). `tie` goes
 * as 0/1: postgres.js declares a parameter holding booleans as one boolean, not an array.
 */
export async function insertSnapshotRows({
  tx,
  snapshotId,
  rows,
  rowsPerInsert = SNAPSHOT_ROWS_PER_INSERT,
}: {
  tx: Pick<Database, "execute">;
  snapshotId: string;
  rows: FrozenRow[];
  rowsPerInsert?: number;
}): Promise<void> {
  for (let start = 0; start < rows.length; start += rowsPerInsert) {
    const chunk = rows.slice(start, start + rowsPerInsert);
    const column = <T>(pick: (r: FrozenRow) => T) => sql.param(chunk.map(pick));
    await tx.execute(sql`
      insert into snapshot_rows (snapshot_id, ordinal, pair_id, prompt_id, chosen_response_id, rejected_response_id, tie, strength, weight, votes, comparison_id, labeler_id)
      select ${snapshotId}, ${start - 1}::int + r.n, r.pair_id, r.prompt_id, r.chosen_response_id, r.rejected_response_id, r.tie = 1, r.strength, r.weight, r.votes, r.comparison_id, r.labeler_id
      from unnest(
        ${column((r) => r.pairId)}::uuid[], ${column((r) => r.promptId)}::uuid[],
        ${column((r) => r.chosenResponseId)}::uuid[], ${column((r) => r.rejectedResponseId)}::uuid[],
        ${column((r) => (r.tie ? 1 : 0))}::smallint[], ${column((r) => r.strength ?? null)}::double precision[],
        ${column((r) => r.weight ?? 1)}::double precision[], ${column((r) => r.votes ?? 1)}::integer[],
        ${column((r) => r.comparisonId ?? null)}::uuid[], ${column((r) => r.labelerId ?? null)}::uuid[]
      ) with ordinality as r(pair_id, prompt_id, chosen_response_id, rejected_response_id, tie, strength, weight, votes, comparison_id, labeler_id, n)`);
  }
}

export async function createSnapshot({ input, actorId }: { input: CreateSnapshotInput; actorId: string | null }): Promise<DatasetSnapshot> {
  const { name, filters } = createSnapshotSchema.parse(input);
  const judgments = await selectJudgments(filters);
  const reliability = oneCoinDawidSkene(
    judgments.filter((j) => j.choice === "a" || j.choice === "b").map((j) => ({ item: j.pair_id, labeler: j.labeler_id, saysA: j.choice === "a" })),
  );
  const rows = buildRows(judgments, filters, reliability);
  if (rows.length === 0) throw new AppError("bad_request:empty_snapshot", "No judgments match these filters.");
  const counts = {
    rows: rows.length,
    judgments: judgments.length,
    pairs: new Set(rows.map((r) => r.pairId)).size,
    prompts: new Set(rows.map((r) => r.promptId)).size,
    labelers: new Set(judgments.map((j) => j.labeler_id)).size,
    ties: rows.filter((r) => r.tie).length,
  };
  return db.transaction(async (tx) => {
    const [snapshot] = await tx
      .insert(datasetSnapshots)
      .values({ name, filters, contentHash: contentHash(rows), counts, labelerReliability: Object.fromEntries(reliability), createdBy: actorId })
      .returning();
    await insertSnapshotRows({ tx, snapshotId: snapshot!.id, rows });
    await recordAudit({ tx, actorId, action: "snapshot.created", targetType: "snapshot", targetId: snapshot!.id, details: { rows: rows.length, hash: snapshot!.contentHash } });
    return snapshot!;
  });
}

export async function getSnapshot({ snapshotId }: { snapshotId: string }): Promise<DatasetSnapshot> {
  const snapshot = await db.query.datasetSnapshots.findFirst({ where: eq(datasetSnapshots.id, snapshotId) });
  if (!snapshot) throw new AppError("not_found:snapshot", "No such snapshot.");
  return snapshot;
}

export async function listSnapshots(): Promise<DatasetSnapshot[]> {
  return db.query.datasetSnapshots.findMany({ orderBy: [desc(datasetSnapshots.createdAt)] });
}

/** A snapshot's rows as the trainer reads them: prompt and both response texts. */
export async function snapshotPreferenceRows({ snapshotId }: { snapshotId: string }): Promise<PreferenceRow[]> {
  await getSnapshot({ snapshotId });
  const rows = await db.execute<{ prompt_id: string; prompt: PromptContent; chosen: string; rejected: string; strength: number | null; weight: number; tie: boolean }>(sql`
    select r.prompt_id, p.content as prompt, rc.text as chosen, rr.text as rejected, r.strength, r.weight, r.tie
    from snapshot_rows r
    join prompts p on p.id = r.prompt_id
    join responses rc on rc.id = r.chosen_response_id
    join responses rr on rr.id = r.rejected_response_id
    where r.snapshot_id = ${snapshotId}
    order by r.ordinal`);
  return rows.map((r) => ({
    promptId: r.prompt_id,
    prompt: r.prompt,
    chosen: r.chosen,
    rejected: r.rejected,
    ...(r.strength !== null ? { margin: r.strength } : {}),
    weight: r.weight,
    ...(r.tie ? { tie: true } : {}),
  }));
}
