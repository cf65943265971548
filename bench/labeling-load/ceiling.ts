/**
 * The ceiling the app is compared with: the rows one judgment writes (its assignment, the
 * comparison, the pair's counter), as one transaction straight through postgres.js, from the
 * same number of concurrent callers as the HTTP run, over a pool as large as the app's.
 * No HTTP, no session, no queue search: what the database alone allows on this machine.
 */
import { randomUUID } from "node:crypto";
import postgres from "postgres";

export async function measureCeiling({
  url,
  campaignId,
  labelerIds,
  concurrency,
  seconds,
  poolSize,
}: {
  url: string;
  campaignId: string;
  labelerIds: string[];
  concurrency: number;
  seconds: number;
  poolSize: number;
}): Promise<{ judgments: number; seconds: number; perSecond: number; latencyMs: number[] }> {
  const sql = postgres(url, { max: poolSize, onnotice: () => {} });
  const pairIds = (await sql<{ id: string }[]>`select id from pairs where campaign_id = ${campaignId} order by id`).map((r) => r.id);
  if (pairIds.length === 0) throw new Error("the ceiling campaign has no pairs");
  // Judgment k takes pair p = k mod P in round r = floor(k / P), for labeler (p + r) mod L: every
  // (pair, labeler) at most once, as the app allows, and judgments written at once come from
  // different labelers, as the app's do (a labeler submits one at a time), not all from one.
  let next = 0;
  const latencyMs: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;

  async function caller(): Promise<void> {
    while (performance.now() < deadline) {
      const k = next++;
      const pairId = pairIds[k % pairIds.length]!;
      const labelerId = labelerIds[((k % pairIds.length) + Math.floor(k / pairIds.length)) % labelerIds.length]!;
      const t = performance.now();
      await sql.begin(async (tx) => {
        const [assignment] = await tx<{ id: string }[]>`
          insert into assignments (campaign_id, pair_id, labeler_id, status, shown_order, leased_at, expires_at)
          values (${campaignId}, ${pairId}, ${labelerId}, 'completed', 'ab', now(), now() + interval '15 minutes')
          returning id`;
        await tx`
          insert into comparisons (client_submission_id, assignment_id, campaign_id, pair_id, labeler_id, choice, strength, shown_order, server_ms, active_ms)
          values (${randomUUID()}, ${assignment!.id}, ${campaignId}, ${pairId}, ${labelerId}, 'a', 2, 'ab', 0, 4000)`;
        await tx`update pairs set judgment_count = judgment_count + 1 where id = ${pairId}`;
      });
      latencyMs.push(performance.now() - t);
    }
  }

  await Promise.all(Array.from({ length: concurrency }, caller));
  const elapsed = (performance.now() - started) / 1000;
  await sql.end({ timeout: 5 });
  return { judgments: latencyMs.length, seconds: elapsed, perSecond: latencyMs.length / elapsed, latencyMs };
}
