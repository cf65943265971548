/**
 * Quality figures of a campaign and of one labeler.
 *
 * The database counts, the statistics stay in TypeScript. PostgreSQL counts each pair's
 * judgments by choice and strength, then groups the pairs by those counts (a pair's kind)
 * and sends each kind once with how many pairs have it: a few hundred rows however many
 * judgments there are. The functions of lib/stats weigh each kind by its count. Gold pairs
 * (judgments with gold_correct set) count for gold accuracy only.
 */
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { db } from "@/db/client";
import { choiceValues, type Choice } from "@/db/values";
import { binomialTwoSidedP, krippendorffAlphaOrdinal, majority, pairwiseAgreement } from "@/lib/stats/agreement";

type LabelerQuality = {
  labelerId: string;
  name: string;
  judgments: number;
  medianSeconds: number | null;
  goldAnswered: number;
  goldAccuracy: number | null;
  agreementWithMajority: number | null;
};

/**
 * A pair's judgments counted by outcome, each with its place on the ordinal scale (B much
 * better -4 ... tie 0 ... A much better +4; both_bad has none). A judgment of A or B without
 * a strength counts as strength 1.
 */
const OUTCOMES = [
  ...[1, 2, 3, 4].map((s) => ({ column: `a${s}`, choice: "a" as const, strength: s, ordinal: s })),
  ...[1, 2, 3, 4].map((s) => ({ column: `b${s}`, choice: "b" as const, strength: s, ordinal: -s })),
  { column: "tie", choice: "tie" as const, strength: null, ordinal: 0 },
  { column: "both_bad", choice: "both_bad" as const, strength: null, ordinal: null },
];
type OutcomeCounts = Record<(typeof OUTCOMES)[number]["column"], number>;

/** One row per non-gold pair of the campaign: its outcome counts and how many decisive judgments picked the left response. */
function pairCounts(campaignId: string): SQL {
  const counts = OUTCOMES.map(({ column, choice, strength }) => {
    const strengthIs = strength === null ? sql`` : sql.raw(` and coalesce(c.strength, 1) = ${strength}`);
    return sql`count(*) filter (where c.choice = ${choice}${strengthIs})::int as ${sql.identifier(column)}`;
  });
  return sql`
    select c.pair_id, ${sql.join(counts, sql`, `)},
           count(*) filter (where c.choice in ('a', 'b') and (c.choice = 'a') = (c.shown_order = 'ab'))::int as picked_left
    from comparisons c
    where c.campaign_id = ${campaignId} and c.gold_correct is null
    group by c.pair_id`;
}

/** Which judgments agreement reads: a campaign's, or those on the pairs one labeler judged. */
type Scope = { campaignId: string } | { labelerId: string };

/**
 * Agreement of each judgment with the majority of the other judgments of its pair, per
 * labeler: counted once the pair has two other judgments whose most common choice is not
 * tied for first place. The database sends (labeler, own choice, the pair's choice counts)
 * with how many judgments share them.
 */
async function agreementWithMajority(scope: Scope): Promise<Map<string, { agree: number; total: number }>> {
  const pairs = "campaignId" in scope ? sql`c.campaign_id = ${scope.campaignId}` : sql`c.pair_id in (select pair_id from comparisons where labeler_id = ${scope.labelerId})`;
  const counts = choiceValues.map((choice) => sql`(count(*) filter (where c.choice = ${choice}) over pair)::int as ${sql.identifier(choice)}`);
  const rows = await db.execute<Record<Choice, number> & { labeler_id: string; choice: Choice; n: number }>(sql`
    select labeler_id, choice, a, b, tie, both_bad, count(*)::int as n
    from (
      select c.labeler_id, c.choice, ${sql.join(counts, sql`, `)}
      from comparisons c
      where ${pairs} and c.gold_correct is null
      window pair as (partition by c.pair_id)) j
    ${"labelerId" in scope ? sql`where labeler_id = ${scope.labelerId}` : sql``}
    group by 1, 2, 3, 4, 5, 6`);
  const out = new Map<string, { agree: number; total: number }>();
  for (const row of rows) {
    const others = choiceValues.flatMap((choice) => Array<Choice>(row[choice] - (choice === row.choice ? 1 : 0)).fill(choice));
    const m = others.length >= 2 ? majority(others) : null;
    if (m === null) continue;
    const s = out.get(row.labeler_id) ?? { agree: 0, total: 0 };
    s.total += row.n;
    if (row.choice === m) s.agree += row.n;
    out.set(row.labeler_id, s);
  }
  return out;
}

type LabelerRow = { labeler_id: string; name: string; judgments: number; median_ms: number | null; gold_answered: number; gold_right: number };

/** Counts, median time and gold answers per labeler, over the judgments `filter` keeps. */
async function labelerRows(filter: SQL): Promise<LabelerRow[]> {
  return db.execute<LabelerRow>(sql`
    select l.*, coalesce(nullif(u.name, ''), u.email) as name
    from (
      select c.labeler_id, count(*)::int as judgments, percentile_cont(0.5) within group (order by c.server_ms) as median_ms,
             count(c.gold_correct)::int as gold_answered, count(*) filter (where c.gold_correct)::int as gold_right
      from comparisons c where ${filter} group by c.labeler_id) l
    join users u on u.id = l.labeler_id`);
}

type PairKind = OutcomeCounts & { longer: "a" | "b" | null; pairs: number; picked_left: number };

/** The campaign's non-gold pairs grouped by kind: outcome counts and which response is longer. */
async function pairKinds(campaignId: string): Promise<PairKind[]> {
  const columns = sql.join(
    OUTCOMES.map(({ column }) => sql`u.${sql.identifier(column)}`),
    sql`, `,
  );
  return db.execute<PairKind>(sql`
    with u as (${pairCounts(campaignId)})
    select ${columns},
           case when ra.text_length > rb.text_length then 'a' when rb.text_length > ra.text_length then 'b' end as longer,
           count(*)::int as pairs, sum(u.picked_left)::int as picked_left
    from u
    join pairs p on p.id = u.pair_id
    join responses ra on ra.id = p.response_a_id
    join responses rb on rb.id = p.response_b_id
    group by ${columns}, longer`);
}

export async function campaignQuality({ campaignId }: { campaignId: string }) {
  const [[completion], kinds, labelers, agreement] = await Promise.all([
    db.execute<{ pairs: number; complete: number }>(sql`
      select count(*)::int as pairs, count(*) filter (where p.judgment_count >= c.overlap)::int as complete
      from pairs p join campaigns c on c.id = p.campaign_id where p.campaign_id = ${campaignId} and p.gold_choice is null`),
    pairKinds(campaignId),
    labelerRows(sql`c.campaign_id = ${campaignId}`),
    agreementWithMajority({ campaignId }),
  ]);
  // Each kind as the judgments of one pair, and how many pairs it stands for.
  const units = kinds.map((k) => OUTCOMES.flatMap((o) => Array<(typeof OUTCOMES)[number]>(k[o.column]).fill(o)));
  const counts = kinds.map((k) => k.pairs);
  const sum = (f: (k: PairKind) => number) => kinds.reduce((s, k) => s + f(k) * k.pairs, 0);
  const pickedA = (k: PairKind) => k.a1 + k.a2 + k.a3 + k.a4;
  const pickedB = (k: PairKind) => k.b1 + k.b2 + k.b3 + k.b4;
  const decisive = sum((k) => pickedA(k) + pickedB(k));
  const leftPicks = kinds.reduce((s, k) => s + k.picked_left, 0);
  const withLonger = sum((k) => (k.longer ? pickedA(k) + pickedB(k) : 0));
  const longerPicks = sum((k) => (k.longer === "a" ? pickedA(k) : k.longer === "b" ? pickedB(k) : 0));

  const perLabeler: LabelerQuality[] = labelers.map((l) => {
    const a = agreement.get(l.labeler_id);
    return {
      labelerId: l.labeler_id,
      name: l.name,
      judgments: l.judgments,
      medianSeconds: l.median_ms === null ? null : l.median_ms / 1000,
      goldAnswered: l.gold_answered,
      goldAccuracy: l.gold_answered ? l.gold_right / l.gold_answered : null,
      agreementWithMajority: a && a.total ? a.agree / a.total : null,
    };
  });
  perLabeler.sort((x, y) => y.judgments - x.judgments);

  return {
    pairs: completion!.pairs,
    completePairs: completion!.complete,
    judgments: perLabeler.reduce((s, l) => s + l.judgments, 0),
    alphaOrdinal: krippendorffAlphaOrdinal(
      units.map((u) => u.flatMap((o) => (o.ordinal === null ? [] : [o.ordinal]))),
      counts,
    ),
    pairwiseAgreement: pairwiseAgreement(
      units.map((u) => u.map((o) => o.choice)),
      counts,
    ),
    positionBias: { leftShare: decisive ? leftPicks / decisive : null, n: decisive, pValue: binomialTwoSidedP(leftPicks, decisive) },
    lengthBias: { longerShare: withLonger ? longerPicks / withLonger : null, n: withLonger, pValue: binomialTwoSidedP(longerPicks, withLonger) },
    labelers: perLabeler,
  };
}

/** A labeler's own figures: counts, agreement with the majority, gold accuracy after 5 gold answers, median time. */
export async function labelerStats({ labelerId }: { labelerId: string }) {
  const [[own], agreement, [today], [skipped]] = await Promise.all([
    labelerRows(sql`c.labeler_id = ${labelerId}`),
    agreementWithMajority({ labelerId }),
    db.execute<{ n: number }>(sql`select count(*)::int as n from comparisons where labeler_id = ${labelerId} and created_at >= date_trunc('day', now())`),
    db.execute<{ n: number }>(sql`select count(*)::int as n from skips where labeler_id = ${labelerId}`),
  ]);
  const mine = agreement.get(labelerId);
  return {
    judgments: own?.judgments ?? 0,
    today: today!.n,
    skipped: skipped!.n,
    agreementWithMajority: mine && mine.total ? mine.agree / mine.total : null,
    goldAnswered: own?.gold_answered ?? 0,
    goldAccuracy: own && own.gold_answered >= 5 ? own.gold_right / own.gold_answered : null,
    medianSeconds: own && own.median_ms !== null ? own.median_ms / 1000 : null,
  };
}
export type LabelerStats = Awaited<ReturnType<typeof labelerStats>>;
