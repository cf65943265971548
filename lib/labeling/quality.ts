/**
 * Quality figures of a campaign and of one labeler.
 *
 * The database counts, the statistics stay in TypeScript. Triggers on comparisons and pairs
 * (db/migrations/0014_campaign_quality_triggers.sql) keep a campaign's counts as judgments are
 * written: its pairs by judgment count, its judged pairs grouped by kind (outcome counts, which
 * response is longer) with how many pairs have each kind, and per labeler their judgments, gold
 * answers, agreement with the majority and median time. The page reads those few hundred rows
 * however many judgments there are; the functions of lib/stats weigh each kind by its count.
 * Gold pairs (judgments with gold_correct set) count for gold accuracy only.
 */
import "server-only";
import { and, count, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { db } from "@/db/client";
import { campaigns, pairs } from "@/db/schema";
import type { longerValues } from "@/db/values";
import { completionColumns } from "@/lib/campaigns/campaigns";
import { AppError } from "@/lib/errors";
import { binomialTwoSidedP, krippendorffAlphaOrdinal, pairwiseAgreement } from "@/lib/stats/agreement";

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
 * a strength counts as strength 1. The triggers store the counts in this order
 * (campaign_quality_kinds.outcomes).
 */
const OUTCOMES = [
  ...[1, 2, 3, 4].map((s) => ({ choice: "a" as const, strength: s, ordinal: s })),
  ...[1, 2, 3, 4].map((s) => ({ choice: "b" as const, strength: s, ordinal: -s })),
  { choice: "tie" as const, strength: null, ordinal: 0 },
  { choice: "both_bad" as const, strength: null, ordinal: null },
];

type PairKind = { outcomes: number[]; longer: (typeof longerValues)[number]; pairs: number; picked_left: number };

type LabelerRow = {
  labeler_id: string;
  name: string;
  judgments: number;
  median_ms: number | null;
  gold_answered: number;
  gold_right: number;
  agreement_checked: number;
  agreement_agreed: number;
};

export async function campaignQuality({ campaignId }: { campaignId: string }) {
  const [[completion], [gold], kinds, labelers] = await Promise.all([
    db.select(completionColumns).from(campaigns).where(eq(campaigns.id, campaignId)),
    // Beside the completion counts, which leave gold pairs out: 20 pairs imported, 5 of them gold, read "0 of 15" unexplained.
    db
      .select({ n: count() })
      .from(pairs)
      .where(and(eq(pairs.campaignId, campaignId), isNotNull(pairs.goldChoice), isNull(pairs.swapOf))),
    db.execute<PairKind>(sql`
      select outcomes, longer, sum(pairs)::int as pairs, sum(picked_left)::int as picked_left from campaign_quality_kinds
      where campaign_id = ${campaignId} group by outcomes, longer having sum(pairs) > 0`),
    db.execute<LabelerRow>(sql`
      select q.labeler_id, coalesce(nullif(u.name, ''), u.email) as name, q.judgments, q.median_ms, q.gold_answered, q.gold_right,
             q.agreement_checked, q.agreement_agreed
      from campaign_quality_labelers q join users u on u.id = q.labeler_id
      where q.campaign_id = ${campaignId} and q.judgments > 0
      order by q.labeler_id`),
  ]);
  // Each kind as the judgments of one pair, and how many pairs it stands for.
  const units = kinds.map((k) => OUTCOMES.flatMap((o, i) => Array<(typeof OUTCOMES)[number]>(k.outcomes[i]!).fill(o)));
  const counts = kinds.map((k) => k.pairs);
  const sum = (f: (k: PairKind) => number) => kinds.reduce((s, k) => s + f(k) * k.pairs, 0);
  const picked = (k: PairKind, choice: "a" | "b") => OUTCOMES.reduce((s, o, i) => s + (o.choice === choice ? k.outcomes[i]! : 0), 0);
  const decisive = sum((k) => picked(k, "a") + picked(k, "b"));
  const leftPicks = kinds.reduce((s, k) => s + k.picked_left, 0);
  const withLonger = sum((k) => (k.longer === "same" ? 0 : picked(k, "a") + picked(k, "b")));
  const longerPicks = sum((k) => (k.longer === "same" ? 0 : picked(k, k.longer)));

  const perLabeler: LabelerQuality[] = labelers.map((l) => ({
    labelerId: l.labeler_id,
    name: l.name,
    judgments: l.judgments,
    medianSeconds: l.median_ms === null ? null : l.median_ms / 1000,
    goldAnswered: l.gold_answered,
    goldAccuracy: l.gold_answered ? l.gold_right / l.gold_answered : null,
    agreementWithMajority: l.agreement_checked ? l.agreement_agreed / l.agreement_checked : null,
  }));
  perLabeler.sort((x, y) => y.judgments - x.judgments);

  return {
    pairs: completion!.pairCount,
    completePairs: completion!.completedPairs,
    goldPairs: gold!.n,
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

/**
 * The runtime's Intl (which checked the name) takes zones Postgres does not know, aliases tzdata
 * dropped (US/Pacific-New) or zones newer than the server's tzdata; Postgres answers 22023 "time zone
 * not recognized", which was a 500. It is the caller's to change, so it is refused as such.
 */
function unknownToPostgres(err: unknown, timeZone: string): unknown {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (code === "22023" && typeof message === "string" && message.includes("time zone")) {
      return new AppError("bad_request:time_zone", `The database does not know the time zone ${JSON.stringify(timeZone)}; send its current IANA name (such as America/Los_Angeles), or none for UTC.`);
    }
  }
  return err;
}

/**
 * A labeler's own figures: counts, agreement with the majority, gold accuracy after 5 gold answers,
 * median time. `today` counts from midnight in `timeZone`, the labeler's: the database's day (UTC)
 * started at 7 pm the evening before in New York, and at 9 am in Tokyo.
 */
export async function labelerStats({ labelerId, timeZone = "UTC" }: { labelerId: string; timeZone?: string }) {
  const [[own], [agreement], [today], [skipped]] = await Promise.all([
    // Over every campaign: a median is not a sum of the campaigns' medians.
    db.execute<{ judgments: number; median_ms: number | null; gold_answered: number; gold_right: number }>(sql`
      select count(*)::int as judgments, percentile_cont(0.5) within group (order by server_ms) as median_ms,
             count(gold_correct)::int as gold_answered, count(*) filter (where gold_correct)::int as gold_right
      from comparisons where labeler_id = ${labelerId}`),
    db.execute<{ checked: number; agreed: number }>(sql`
      select coalesce(sum(agreement_checked), 0)::int as checked, coalesce(sum(agreement_agreed), 0)::int as agreed
      from campaign_quality_labelers where labeler_id = ${labelerId}`),
    db.execute<{ n: number }>(sql`select count(*)::int as n from comparisons where labeler_id = ${labelerId} and created_at >= date_trunc('day', now(), ${timeZone})`).catch((err: unknown) => {
      throw unknownToPostgres(err, timeZone);
    }),
    db.execute<{ n: number }>(sql`select count(*)::int as n from skips where labeler_id = ${labelerId}`),
  ]);
  return {
    judgments: own!.judgments,
    today: today!.n,
    skipped: skipped!.n,
    agreementWithMajority: agreement!.checked ? agreement!.agreed / agreement!.checked : null,
    goldAnswered: own!.gold_answered,
    goldAccuracy: own!.gold_answered >= 5 ? own!.gold_right / own!.gold_answered : null,
    medianSeconds: own!.median_ms === null ? null : own!.median_ms / 1000,
  };
}
export type LabelerStats = Awaited<ReturnType<typeof labelerStats>>;
