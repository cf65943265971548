/**
 * Quality figures of a campaign and of one labeler. One query fetches the judgments
 * (small columns only); the statistics run in memory, which stays well under a second
 * at 100k judgments.
 */
import "server-only";
import { sql } from "drizzle-orm";
import { db } from "@/db/client";
import type { Choice, ShownOrder } from "@/db/schema";
import { binomialTwoSidedP, krippendorffAlphaOrdinal, majority, median, pairwiseAgreement } from "@/lib/stats/agreement";

type JudgmentRow = {
  pair_id: string;
  labeler_id: string;
  choice: Choice;
  strength: number | null;
  shown_order: ShownOrder;
  server_ms: number;
  gold_correct: boolean | null;
  longer: "a" | "b" | null;
};

/** A judgment on the ordinal scale: B much better (-4) ... tie (0) ... A much better (+4). */
export function ordinalValue(choice: Choice, strength: number | null): number | null {
  if (choice === "both_bad") return null;
  if (choice === "tie") return 0;
  return (choice === "a" ? 1 : -1) * (strength ?? 1);
}

export type LabelerQuality = {
  labelerId: string;
  name: string;
  judgments: number;
  medianSeconds: number | null;
  goldAnswered: number;
  goldAccuracy: number | null;
  agreementWithMajority: number | null;
};

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Agreement of each judgment with the majority of the other judgments of its pair. */
function agreementByLabeler(rows: JudgmentRow[]): Map<string, { agree: number; total: number }> {
  const byPair = groupBy(rows, (r) => r.pair_id);
  const out = new Map<string, { agree: number; total: number }>();
  for (const judgments of byPair.values()) {
    for (const j of judgments) {
      const others = judgments.filter((o) => o !== j).map((o) => o.choice);
      const m = others.length >= 2 ? majority(others) : null;
      if (m === null) continue;
      const s = out.get(j.labeler_id) ?? { agree: 0, total: 0 };
      s.total++;
      if (j.choice === m) s.agree++;
      out.set(j.labeler_id, s);
    }
  }
  return out;
}

async function judgmentRows(filter: ReturnType<typeof sql>): Promise<JudgmentRow[]> {
  return db.execute<JudgmentRow>(sql`
    select c.pair_id, c.labeler_id, c.choice, c.strength, c.shown_order, c.server_ms, c.gold_correct,
           case when length(ra.text) > length(rb.text) then 'a' when length(rb.text) > length(ra.text) then 'b' end as longer
    from comparisons c
    join pairs p on p.id = c.pair_id
    join responses ra on ra.id = p.response_a_id
    join responses rb on rb.id = p.response_b_id
    where ${filter}`);
}

export async function campaignQuality({ campaignId }: { campaignId: string }) {
  const [[completion], rows, names] = await Promise.all([
    db.execute<{ pairs: number; complete: number }>(sql`
      select count(*)::int as pairs, count(*) filter (where p.judgment_count >= c.overlap)::int as complete
      from pairs p join campaigns c on c.id = p.campaign_id where p.campaign_id = ${campaignId} and p.gold_choice is null`),
    judgmentRows(sql`c.campaign_id = ${campaignId}`),
    db.execute<{ id: string; name: string }>(sql`
      select distinct u.id, coalesce(nullif(u.name, ''), u.email) as name
      from users u join comparisons c on c.labeler_id = u.id where c.campaign_id = ${campaignId}`),
  ]);
  const nonGold = rows.filter((r) => r.gold_correct === null);

  const units = groupBy(nonGold, (r) => r.pair_id);
  const ordinalUnits = [...units.values()].map((u) => u.map((r) => ordinalValue(r.choice, r.strength)).filter((v): v is number => v !== null));
  const choiceUnits = [...units.values()].map((u) => u.map((r) => r.choice));

  const decisive = nonGold.filter((r) => r.choice === "a" || r.choice === "b");
  const leftPicks = decisive.filter((r) => (r.choice === "a") === (r.shown_order === "ab")).length;
  const withLonger = decisive.filter((r) => r.longer !== null);
  const longerPicks = withLonger.filter((r) => r.choice === r.longer).length;

  const agreement = agreementByLabeler(nonGold);
  const nameOf = new Map(names.map((n) => [n.id, n.name]));
  const perLabeler = groupBy(rows, (r) => r.labeler_id);
  const labelers: LabelerQuality[] = [...perLabeler].map(([labelerId, js]) => {
    const gold = js.filter((j) => j.gold_correct !== null);
    const a = agreement.get(labelerId);
    return {
      labelerId,
      name: nameOf.get(labelerId) ?? labelerId,
      judgments: js.length,
      medianSeconds: median(js.map((j) => j.server_ms / 1000)),
      goldAnswered: gold.length,
      goldAccuracy: gold.length ? gold.filter((g) => g.gold_correct).length / gold.length : null,
      agreementWithMajority: a && a.total ? a.agree / a.total : null,
    };
  });
  labelers.sort((x, y) => y.judgments - x.judgments);

  return {
    pairs: completion!.pairs,
    completePairs: completion!.complete,
    judgments: rows.length,
    alphaOrdinal: krippendorffAlphaOrdinal(ordinalUnits),
    pairwiseAgreement: pairwiseAgreement(choiceUnits),
    positionBias: { leftShare: decisive.length ? leftPicks / decisive.length : null, n: decisive.length, pValue: binomialTwoSidedP(leftPicks, decisive.length) },
    lengthBias: { longerShare: withLonger.length ? longerPicks / withLonger.length : null, n: withLonger.length, pValue: binomialTwoSidedP(longerPicks, withLonger.length) },
    labelers,
  };
}
export type CampaignQuality = Awaited<ReturnType<typeof campaignQuality>>;

/** A labeler's own figures: counts, agreement with the majority, gold accuracy after 5 gold answers, median time. */
export async function labelerStats({ labelerId }: { labelerId: string }) {
  const [rows, [today]] = await Promise.all([
    judgmentRows(sql`c.labeler_id = ${labelerId}`),
    db.execute<{ n: number }>(sql`select count(*)::int as n from comparisons where labeler_id = ${labelerId} and created_at >= date_trunc('day', now())`),
  ]);
  // Agreement needs the other judgments of the same pairs.
  const pairIds = [...new Set(rows.map((r) => r.pair_id))];
  const peers = pairIds.length ? await judgmentRows(sql`c.pair_id = any(string_to_array(${pairIds.join(",")}, ',')::uuid[])`) : [];
  const agreement = agreementByLabeler(peers.filter((r) => r.gold_correct === null)).get(labelerId);
  const gold = rows.filter((r) => r.gold_correct !== null);
  const skipped = await db.execute<{ n: number }>(sql`select count(*)::int as n from skips where labeler_id = ${labelerId}`);
  return {
    judgments: rows.length,
    today: today!.n,
    skipped: skipped[0]!.n,
    agreementWithMajority: agreement && agreement.total ? agreement.agree / agreement.total : null,
    goldAnswered: gold.length,
    goldAccuracy: gold.length >= 5 ? gold.filter((g) => g.gold_correct).length / gold.length : null,
    medianSeconds: median(rows.map((r) => r.server_ms / 1000)),
  };
}
export type LabelerStats = Awaited<ReturnType<typeof labelerStats>>;
