/**
 * A research team's database after months of work, written straight with SQL (generate_series)
 * so it builds in a minute rather than hours: one large campaign (100,000 pairs, 300,000
 * judgments by 60 labelers over 60 days), four small ones, 300 runs of every kind (each with
 * 22 metrics over 200 steps, a log tail and, for PPO, samples), one long PPO run still running
 * (5,000 iterations x 22 metrics = 110,000 points, 3,000 log lines of which the last 500 are
 * kept, 8 samples every 50 iterations), 60 checkpoints and 30 snapshots of 10,000 rows.
 * Row shapes follow db/schema.ts and what the trainer writes (TRL-style metric names).
 */
import type postgres from "postgres";

export const SCALE = {
  labelers: 60,
  pairs: 100_000,
  overlap: 3,
  runs: 300,
  stepsPerRun: 200,
  bigRunIterations: 5000,
  snapshots: 30,
  snapshotRows: 10_000,
  checkpoints: 60,
} as const;

/** The 22 metrics a PPO iteration logs (trainer/ppo names them this way). */
const PPO_METRICS = [
  "objective/kl",
  "objective/entropy",
  "objective/non_score_reward",
  "objective/rlhf_reward",
  "objective/scores",
  "policy/approxkl_avg",
  "policy/clipfrac_avg",
  "policy/entropy_avg",
  "loss/policy",
  "loss/value",
  "loss/ptx",
  "val/clipfrac_avg",
  "val/ratio",
  "val/var_explained",
  "val/num_eos_tokens",
  "ppo/mean_non_score_reward",
  "ppo/kl_coef",
  "tokens/responses_len_mean",
  "time/rollout",
  "time/update",
  "time/total",
  "lr",
] as const;

export type Dataset = { researcherId: string; bigCampaignId: string; bigRunId: string; snapshotCampaignIds: string[] };

export async function buildDataset(sql: postgres.Sql, researcherId: string, say: (msg: string) => void): Promise<Dataset> {
  const t = performance.now();
  const step = (msg: string) => say(`  ${msg} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  const metricNames = sql.array([...PPO_METRICS]);

  await sql`
    insert into users (email, name, role)
    select 'scale-labeler-' || i || '@bench.local', 'Labeler ' || i, 'labeler' from generate_series(1, ${SCALE.labelers}) i`;
  const campaigns = await sql<{ id: string }[]>`
    insert into campaigns (name, guidelines, overlap, status, created_by, created_at)
    select case when i = 1 then 'Helpfulness, large' else 'Campaign ' || i end, 'Pick the more helpful answer.', ${SCALE.overlap}, 'active', ${researcherId}, now() - (i || ' days')::interval
    from generate_series(1, 5) i order by i returning id`;
  const bigCampaignId = campaigns[0]!.id;
  step("users and campaigns");

  // One prompt and two responses per pair; the big campaign holds SCALE.pairs, the others 1,000 each.
  await sql`
    insert into prompts (campaign_id, content, content_hash)
    select c.id, to_jsonb('Explain, for a curious student, item ' || i || ' of the reading list and why it matters.'), md5(c.id::text || i)
    from (select id, row_number() over () as n from campaigns) c, generate_series(1, ${SCALE.pairs}) i
    where c.id = ${bigCampaignId} or i <= 1000`;
  await sql`
    insert into responses (prompt_id, text, text_hash, source)
    select p.id, repeat('A considered answer that walks through the idea step by step. ', 4 + (s * 3)) || s, md5(p.id::text || s), 'imported'
    from prompts p, generate_series(0, 1) s`;
  await sql`
    insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id, judgment_count, created_at)
    select p.campaign_id, p.id, ra.id, rb.id, ${SCALE.overlap}, now() - interval '60 days'
    from prompts p
    join responses ra on ra.prompt_id = p.id and ra.text like '%0'
    join responses rb on rb.prompt_id = p.id and rb.text like '%1'`;
  step("prompts, responses, pairs");

  // Each pair judged by SCALE.overlap different labelers, spread over the last 60 days.
  await sql`
    with l as (select id, row_number() over (order by email) - 1 as n from users where role = 'labeler'),
         p as (select id, campaign_id, row_number() over (order by id) as n from pairs),
         lease as (
           insert into assignments (campaign_id, pair_id, labeler_id, status, shown_order, leased_at, expires_at)
           select p.campaign_id, p.id, l.id, 'completed', case when (p.n + k) % 2 = 0 then 'ab' else 'ba' end,
                  now() - ((p.n * 7 + k * 13) % 86400 * 60 || ' seconds')::interval, now()
           from p, generate_series(0, ${SCALE.overlap - 1}) k, l
           where l.n = (p.n + k * 17) % ${SCALE.labelers}
           returning id, campaign_id, pair_id, labeler_id, shown_order, leased_at)
    insert into comparisons (client_submission_id, assignment_id, campaign_id, pair_id, labeler_id, choice, strength, shown_order, server_ms, active_ms, created_at, updated_at)
    select gen_random_uuid(), id, campaign_id, pair_id, labeler_id,
           (array['a','a','b','b','a','tie','b','both_bad'])[1 + (abs(hashtext(pair_id::text || labeler_id::text)) % 8)],
           1 + abs(hashtext(labeler_id::text || pair_id::text)) % 4, shown_order,
           4000 + abs(hashtext(pair_id::text)) % 40000, 3000 + abs(hashtext(labeler_id::text)) % 30000,
           leased_at + interval '20 seconds', leased_at + interval '20 seconds'
    from lease`;
  step("assignments and comparisons");

  // Checkpoints, then runs of every kind; every 5th run produced a checkpoint.
  await sql`
    insert into checkpoints (kind, name, backend, store_key, size_bytes, param_count, config, metrics, created_at)
    select (array['base','sft','reward','policy']::checkpoint_kind[])[1 + i % 4], 'ckpt-' || i, 'node', 'bench/ckpt-' || i, 25000000, 6000000,
           '{"nLayer":4,"nHead":4,"nEmbd":256,"blockSize":256}'::jsonb, jsonb_build_object('reward/accuracy_val', 0.6 + (i % 30) / 100.0, 'objective/kl', 0.1 * (i % 7)),
           now() - ((${SCALE.checkpoints} - i) || ' days')::interval
    from generate_series(1, ${SCALE.checkpoints}) i`;
  await sql`
    insert into runs (kind, status, config, attempts, result, created_by, created_at, started_at, heartbeat_at, finished_at, output_checkpoint_id, log_seq)
    select (array['reward','ppo','sft','eval','pretrain','dpo'])[1 + i % 6], 'succeeded',
           jsonb_build_object('iterations', 200, 'batchSize', 16, 'lr', 0.00003, 'campaignId', ${bigCampaignId}::text, 'reward', 'bench/ckpt-' || (1 + i % ${SCALE.checkpoints})),
           1, jsonb_build_object('reward/accuracy_val', 0.62 + (i % 20) / 100.0, 'objective/scores', 0.1 * (i % 9), 'objective/kl', 0.05 * (i % 5), 'prompts', 64),
           ${researcherId}, now() - ((${SCALE.runs} - i) * 4 || ' hours')::interval, now() - ((${SCALE.runs} - i) * 4 || ' hours')::interval,
           now() - ((${SCALE.runs} - i) * 4 - 1 || ' hours')::interval, now() - ((${SCALE.runs} - i) * 4 - 1 || ' hours')::interval,
           (select id from checkpoints where name = 'ckpt-' || (1 + i % ${SCALE.checkpoints})), 100
    from generate_series(1, ${SCALE.runs}) i`;
  await sql`
    insert into run_metrics (run_id, step, name, value, at)
    select r.id, s, n.name, sin(s / 20.0 + n.k) + s / 200.0, r.started_at + (s || ' seconds')::interval
    from runs r, generate_series(1, ${SCALE.stepsPerRun}) s, unnest(${metricNames}::text[]) with ordinality n(name, k)`;
  await sql`
    insert into run_logs (run_id, seq, level, message, at)
    select r.id, s, 'info', 'iteration ' || s || ': loss/policy=0.0123 objective/kl=0.0456 time/total=1.23 s', r.started_at + (s || ' seconds')::interval
    from runs r, generate_series(1, 100) s`;
  step(`${SCALE.runs} runs with ${SCALE.stepsPerRun * PPO_METRICS.length} metric points and 100 log lines each, ${SCALE.checkpoints} checkpoints`);

  // The long PPO run, still running: 5,000 iterations written over the last ~14 hours.
  const [bigRun] = await sql<{ id: string }[]>`
    insert into runs (kind, status, config, attempts, created_by, created_at, started_at, heartbeat_at, log_seq, progress)
    values ('ppo', 'running', ${sql.json({ iterations: 6000, sampleEvery: 50, samplesPerLog: 8, campaignId: bigCampaignId, reward: "bench/ckpt-3" })}, 1, ${researcherId},
            now() - interval '14 hours', now() - interval '14 hours', now(), 3000,
            ${sql.json({ done: SCALE.bigRunIterations, total: 6000, firstDone: 0, elapsedMs: 50_000_000 })}::jsonb || jsonb_build_object('at', now()))
    returning id`;
  const bigRunId = bigRun!.id;
  await sql`
    insert into run_metrics (run_id, step, name, value, at)
    select ${bigRunId}, s, n.name, sin(s / 300.0 + n.k) * exp(-s / 4000.0) + (abs(hashtext(s::text || n.name)) % 1000) / 5000.0,
           now() - interval '14 hours' + (s * 10 || ' seconds')::interval
    from generate_series(1, ${SCALE.bigRunIterations}) s, unnest(${metricNames}::text[]) with ordinality n(name, k)`;
  await sql`
    insert into run_logs (run_id, seq, level, message, at)
    select ${bigRunId}, s, case when s % 97 = 0 then 'warn' else 'info' end,
           'iteration ' || (s * 5 / 3) || ': objective/rlhf_reward=0.812 objective/kl=0.0391 policy/clipfrac_avg=0.114 loss/value=0.0231 tokens/s=1834',
           now() - interval '14 hours' + (s * 16 || ' seconds')::interval
    from generate_series(2501, 3000) s`;
  await sql`
    insert into run_samples (run_id, iteration, position, prompt, response, score, at)
    select ${bigRunId}, it, pos, to_jsonb('Explain, for a curious student, item ' || pos || ' of the reading list and why it matters.'),
           repeat('The policy answers at some length, with a detail or two. ', 6) || it, sin(it / 500.0 + pos), now() - interval '14 hours' + (it * 10 || ' seconds')::interval
    from generate_series(50, ${SCALE.bigRunIterations}, 50) it, generate_series(0, 7) pos`;
  step(`the long PPO run: ${SCALE.bigRunIterations * PPO_METRICS.length} metric points, 500 log lines kept, ${(SCALE.bigRunIterations / 50) * 8} samples`);

  // Snapshots of the small campaigns (the big one is what the bench snapshots over HTTP).
  const snapshotCampaignIds = campaigns.slice(1).map((c) => c.id);
  await sql`
    insert into dataset_snapshots (name, filters, content_hash, counts, labeler_reliability, created_by, created_at)
    select 'snapshot ' || i, jsonb_build_object('campaignIds', jsonb_build_array(${bigCampaignId}::text), 'aggregate', 'all', 'includeTies', false),
           md5('snap' || i), jsonb_build_object('rows', ${SCALE.snapshotRows}::int, 'pairs', ${Math.round(SCALE.snapshotRows / 3)}::int, 'labelers', ${SCALE.labelers}::int),
           (select jsonb_object_agg(id::text, 0.8) from users where role = 'labeler'), ${researcherId}, now() - ((${SCALE.snapshots} - i) || ' days')::interval
    from generate_series(1, ${SCALE.snapshots}) i`;
  await sql`
    insert into snapshot_rows (snapshot_id, ordinal, pair_id, prompt_id, chosen_response_id, rejected_response_id, strength, weight, votes, comparison_id, labeler_id)
    select s.id, c.n, c.pair_id, p.prompt_id, p.response_a_id, p.response_b_id, c.strength, 1, 1, c.id, c.labeler_id
    from dataset_snapshots s,
         (select id, pair_id, labeler_id, strength, row_number() over (order by id) as n from comparisons where campaign_id = ${bigCampaignId} limit ${SCALE.snapshotRows}) c
    join pairs p on p.id = c.pair_id`;
  step(`${SCALE.snapshots} snapshots of ${SCALE.snapshotRows} rows`);
  await sql`analyze`;
  return { researcherId, bigCampaignId, bigRunId, snapshotCampaignIds };
}
