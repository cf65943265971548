/**
 * The campaign quality rows that the triggers of migration 0014 keep, read back, and the same
 * rows counted again from every judgment: lib/labeling/quality-kept.test.ts holds the two equal
 * through every kind of write, and `npm run bench:labeling-load` checks them after its load and
 * faults.
 */
import "server-only";
import { isDeepStrictEqual } from "node:util";
import { sql } from "drizzle-orm";
import { db, type Database } from "@/db/client";
import { choiceValues, type Choice } from "@/db/values";
import { majority } from "@/lib/stats/agreement";

/** The shared client, or a transaction to read inside. */
type Reader = Pick<Database, "execute">;

/**
 * What the triggers of migration 0014 keep, read back as plain rows: pairs by judgment count,
 * kinds (their shards summed), and each labeler's figures (rows at zero left out, as the page
 * leaves them out).
 */
export async function keptQuality({ campaignId, on = db }: { campaignId: string; on?: Reader }) {
  const [pairCounts, kinds, labelers] = await Promise.all([
    on.execute(sql`
      select judgment_count, sum(pairs)::int as pairs from campaign_pair_counts where campaign_id = ${campaignId} group by 1 having sum(pairs) <> 0 order by 1`),
    on.execute(sql`
      select outcomes, longer, sum(pairs)::int as pairs, sum(picked_left)::int as picked_left from campaign_quality_kinds where campaign_id = ${campaignId}
      group by 1, 2 having sum(pairs) <> 0 or sum(picked_left) <> 0 order by 2, 1`),
    on.execute(sql`
      select labeler_id, judgments, median_ms, gold_answered, gold_right, agreement_checked as checked, agreement_agreed as agreed
      from campaign_quality_labelers where campaign_id = ${campaignId} and judgments <> 0 order by 1`),
  ]);
  return { pairCounts: [...pairCounts], kinds: [...kinds], labelers: [...labelers] };
}

/** The same rows counted from every judgment, the way lib/labeling/quality.ts did before the triggers. */
export async function recountQuality({ campaignId, on = db }: { campaignId: string; on?: Reader }) {
  const [pairCounts, kinds, labelers, agreementRows] = await Promise.all([
    on.execute(sql`
      select judgment_count, count(*)::int as pairs from pairs where campaign_id = ${campaignId} and gold_choice is null and swap_of is null group by 1 order by 1`),
    on.execute(sql`
      with u as (
        select c.pair_id,
               array[${sql.join(
                 [1, 2, 3, 4].map((s) => sql`count(*) filter (where c.choice = 'a' and coalesce(c.strength, 1) = ${s})`),
                 sql`, `,
               )}, ${sql.join(
                 [1, 2, 3, 4].map((s) => sql`count(*) filter (where c.choice = 'b' and coalesce(c.strength, 1) = ${s})`),
                 sql`, `,
               )}, count(*) filter (where c.choice = 'tie'), count(*) filter (where c.choice = 'both_bad')]::int[] as outcomes,
               count(*) filter (where c.choice in ('a', 'b') and (c.choice = 'a') = (c.shown_order = 'ab'))::int as picked_left
        from comparisons c where c.campaign_id = ${campaignId} and c.gold_correct is null group by c.pair_id)
      select u.outcomes, case when ra.text_length > rb.text_length then 'a' when rb.text_length > ra.text_length then 'b' else 'same' end as longer,
             count(*)::int as pairs, sum(u.picked_left)::int as picked_left
      from u join pairs p on p.id = u.pair_id join responses ra on ra.id = p.response_a_id join responses rb on rb.id = p.response_b_id
      group by 1, 2 order by 2, 1`),
    on.execute<{ labeler_id: string; judgments: number }>(sql`
      select c.labeler_id, count(*)::int as judgments, percentile_cont(0.5) within group (order by c.server_ms) as median_ms,
             count(c.gold_correct)::int as gold_answered, count(*) filter (where c.gold_correct)::int as gold_right
      from comparisons c where c.campaign_id = ${campaignId} group by 1 order by 1`),
    on.execute<Record<Choice, number> & { labeler_id: string; choice: Choice; n: number }>(sql`
      select labeler_id, choice, a, b, tie, both_bad, count(*)::int as n
      from (select c.labeler_id, c.choice, ${sql.join(
        choiceValues.map((choice) => sql`(count(*) filter (where c.choice = ${choice}) over pair)::int as ${sql.identifier(choice)}`),
        sql`, `,
      )}
            from comparisons c where c.campaign_id = ${campaignId} and c.gold_correct is null window pair as (partition by c.pair_id)) j
      group by 1, 2, 3, 4, 5, 6`),
  ]);
  const agreement = new Map<string, { checked: number; agreed: number }>();
  for (const row of agreementRows) {
    const others = choiceValues.flatMap((choice) => Array<Choice>(row[choice] - (choice === row.choice ? 1 : 0)).fill(choice));
    const m = others.length >= 2 ? majority(others) : null;
    if (m === null) continue;
    const s = agreement.get(row.labeler_id) ?? { checked: 0, agreed: 0 };
    s.checked += row.n;
    if (row.choice === m) s.agreed += row.n;
    agreement.set(row.labeler_id, s);
  }
  return {
    pairCounts: [...pairCounts],
    kinds: [...kinds],
    labelers: labelers.map((l) => ({ ...l, checked: 0, agreed: 0, ...agreement.get(l.labeler_id) })),
  };
}

/**
 * The kept rows beside the recount, and where they differ: per table (pair counts, kinds,
 * labelers) each row found on one side only. Where judgments may still be written, pass a
 * REPEATABLE READ transaction, so that both are read from one snapshot.
 */
export async function compareKeptQuality({ campaignId, on = db }: { campaignId: string; on?: Reader }) {
  const kept = await keptQuality({ campaignId, on });
  const recounted = await recountQuality({ campaignId, on });
  const differences: string[] = [];
  for (const table of ["pairCounts", "kinds", "labelers"] as const) {
    const [k, r]: unknown[][] = [kept[table], recounted[table]];
    const onlyIn = (rows: unknown[], other: unknown[]) => rows.filter((row) => !other.some((o) => isDeepStrictEqual(row, o)));
    for (const row of onlyIn(k, r)) differences.push(`${table}: kept ${JSON.stringify(row)}, not in the recount`);
    for (const row of onlyIn(r, k)) differences.push(`${table}: recounted ${JSON.stringify(row)}, not kept`);
    if (!differences.some((d) => d.startsWith(`${table}:`)) && !isDeepStrictEqual(k, r)) differences.push(`${table}: the same rows in another order`);
  }
  return { kept, differences };
}
