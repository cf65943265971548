/**
 * The research dashboard's figures, each one query: judgments and active labelers per UTC day,
 * the reward model's validation accuracy per reward round, the PPO policy's reward and KL per PPO
 * round, and each policy evaluation's win rate and KL against its baseline. A round is a
 * succeeded run of that kind, numbered by when it finished.
 *
 * Every figure can be narrowed to one campaign. A campaign's rows are:
 * - judgments: comparisons on its pairs (comparisons.campaign_id, the pair's campaign);
 * - reward rounds: reward runs that trained on a snapshot whose filters name it
 *   (dataset_snapshots.filters.campaignIds; the run's snapshot is runs.snapshot_id, else
 *   config.snapshotId, which is what the worker reads);
 * - PPO rounds: PPO runs whose prompts are its prompts (config.campaignId), or whose reward
 *   model (config.reward, a checkpoint's store key) was produced by a run that trained on a
 *   snapshot naming it. A snapshot of several campaigns counts for each of them;
 * - evaluations: eval runs tied to it the same way as PPO runs.
 * Rounds are numbered within what is shown, so a campaign's first reward run is its round 1.
 */
import "server-only";
import { desc, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { db } from "@/db/client";
import { campaigns } from "@/db/schema";
import { defaultRange } from "./schema";

export type DayActivity = {
  /** UTC date, YYYY-MM-DD. */
  day: string;
  /** Judgments submitted that day (skips are not judgments). */
  labels: number;
  /** Labelers who submitted at least one judgment that day. */
  labelers: number;
};

/** A succeeded training run of one kind, numbered in the order runs finished. */
type Round = {
  round: number;
  runId: string;
  checkpointId: string | null;
  checkpointName: string | null;
  finishedAt: string;
};
export type RewardRound = Round & {
  /** reward/accuracy_val of the kept weights; null when the run had no validation split. */
  accuracy: number | null;
  valPairs: number | null;
};
export type PpoRound = Round & {
  /** The run's last iteration: mean reward-model score of its samples (objective/scores). */
  score: number | null;
  /** The run's last iteration: score minus the KL penalty (objective/rlhf_reward). */
  rlhfReward: number | null;
  /** The run's last iteration: KL to the reference model per response, in nats (objective/kl). */
  kl: number | null;
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const iso = (d: Date | string) => new Date(d).toISOString();

/** The `days` UTC days ending with `now`'s, as YYYY-MM-DD. */
export function lastDays({ days, now = new Date() }: { days: number; now?: Date }): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

/** Refuses a campaign id that is not a uuid, so a typo is an error here rather than a failed cast in Postgres. */
function checkCampaignId(campaignId: string | undefined) {
  if (campaignId !== undefined && !z.uuid().safeParse(campaignId).success) throw new Error("campaignId is a campaign's id, a uuid");
}

/** One row per UTC day from `from` to `to` (inclusive), days without judgments included as zeros; only one campaign's judgments when given. */
export async function labelingActivityByDay({ from, to, campaignId }: { from: string; to: string; campaignId?: string }): Promise<DayActivity[]> {
  if (!DAY.test(from) || !DAY.test(to)) throw new Error("from and to are dates, YYYY-MM-DD");
  checkCampaignId(campaignId);
  const rows = await db.execute<DayActivity>(sql`
    with per_day as (
      select (created_at at time zone 'UTC')::date as day, count(*)::int as labels, count(distinct labeler_id)::int as labelers
      from comparisons
      where created_at >= (${from}::date)::timestamp at time zone 'UTC'
        and created_at < (${to}::date + 1)::timestamp at time zone 'UTC'
        ${campaignId ? sql`and campaign_id = ${campaignId}` : sql``}
      group by 1
    )
    select to_char(d.day, 'YYYY-MM-DD') as day, coalesce(p.labels, 0)::int as labels, coalesce(p.labelers, 0)::int as labelers
    from generate_series(${from}::date, ${to}::date, interval '1 day') as d(day)
    left join per_day p on p.day = d.day::date
    order by d.day`);
  return rows.map((r) => ({ day: r.day, labels: r.labels, labelers: r.labelers }));
}

/** A metric of a round: the produced checkpoint's value, else the run's result (both hold the run's final figures). */
const metric = (name: string) => sql`coalesce((c.metrics ->> ${name})::float8, (r.result ->> ${name})::float8)`;

/** Whether the run `alias` trained on a snapshot whose filters name the campaign. */
const trainedOnCampaign = (alias: string, campaignId: string) => sql`exists (
  select 1 from dataset_snapshots s
  where s.id::text = coalesce(${sql.identifier(alias)}.snapshot_id::text, ${sql.identifier(alias)}.config ->> 'snapshotId')
    and s.filters -> 'campaignIds' @> jsonb_build_array(${campaignId}::text))`;

/** Every succeeded run of a kind that meets `where` (a condition on the run `r`), with the named final metrics (alias -> metric name). */
async function rounds<K extends string>(kind: "reward" | "ppo", metrics: Record<K, string>, where?: SQL): Promise<Array<Round & Record<K, number | null>>> {
  const columns = Object.entries<string>(metrics).map(([alias, name]) => sql`${metric(name)} as ${sql.identifier(alias)}`);
  const rows = await db.execute<{ run_id: string; checkpoint_id: string | null; checkpoint_name: string | null; finished_at: Date | string } & Record<K, number | null>>(sql`
    select r.id as run_id, c.id as checkpoint_id, c.name as checkpoint_name, r.finished_at, ${sql.join(columns, sql`, `)}
    from runs r left join checkpoints c on c.id = r.output_checkpoint_id
    where r.kind = ${kind} and r.status = 'succeeded' ${where ? sql`and ${where}` : sql``}
    order by r.finished_at, r.id`);
  return rows.map((r, i) => {
    const values = {} as Record<K, number | null>;
    for (const alias of Object.keys(metrics) as K[]) values[alias] = (r[alias] as number | null) ?? null;
    return { round: i + 1, runId: r.run_id, checkpointId: r.checkpoint_id, checkpointName: r.checkpoint_name, finishedAt: iso(r.finished_at), ...values };
  });
}

/** Reward rounds; with a campaign, only runs that trained on a snapshot of it. */
export async function rewardRounds({ campaignId }: { campaignId?: string } = {}): Promise<RewardRound[]> {
  checkCampaignId(campaignId);
  return rounds("reward", { accuracy: "reward/accuracy_val", valPairs: "data/val_pairs" }, campaignId ? trainedOnCampaign("r", campaignId) : undefined);
}

/** Whether the run `r` took its prompts from the campaign (config.campaignId) or is judged by a reward model trained on a snapshot of it. */
const promptsOrRewardOf = (campaignId: string) => sql`(r.config ->> 'campaignId' = ${campaignId} or exists (
  select 1 from checkpoints rc join runs rr on rr.id = rc.run_id
  where rc.store_key = r.config ->> 'reward' and ${trainedOnCampaign("rr", campaignId)}))`;

/** PPO rounds; with a campaign, only runs on its prompts or scored by a reward model trained on a snapshot of it. */
export async function ppoRounds({ campaignId }: { campaignId?: string } = {}): Promise<PpoRound[]> {
  checkCampaignId(campaignId);
  return rounds("ppo", { score: "objective/scores", rlhfReward: "objective/rlhf_reward", kl: "objective/kl" }, campaignId ? promptsOrRewardOf(campaignId) : undefined);
}

/** A succeeded eval run: policy A against baseline B, judged by a reward model (its result's first two rows). */
export type Evaluation = {
  runId: string;
  finishedAt: string;
  /** A's and B's checkpoint store keys, as the eval job read them: config.policy (else the run's parent checkpoint) and config.baseline. */
  policy: string | null;
  baseline: string | null;
  /** The reward model that judged (config.reward, a store key). */
  reward: string | null;
  prompts: number | null;
  /** Share of (A's sample, B's sample) pairs of a prompt that the reward model scores higher for A, ties half. */
  winRate: number | null;
  /** A's KL to B per response, in nats. */
  kl: number | null;
  /** A's mean score minus B's. */
  gain: number | null;
  /** A's share of the gain of the KL-optimal policy at A's KL; null when the eval had no estimate. */
  shareOfOptimum: number | null;
};

/** Evaluations, oldest first (the newest `limit`); with a campaign, only eval runs on its prompts or judged by a reward model trained on a snapshot of it. */
export async function evaluations({ campaignId, limit = 50 }: { campaignId?: string; limit?: number } = {}): Promise<Evaluation[]> {
  checkCampaignId(campaignId);
  const a = sql`r.result -> 'rows' -> 0`;
  const b = sql`r.result -> 'rows' -> 1`;
  const rows = await db.execute<{ run_id: string; finished_at: Date | string; policy: string | null; baseline: string | null; reward: string | null; prompts: number | null; win_rate: number | null; kl: number | null; gain: number | null; share: number | null }>(sql`
    select * from (
      select r.id as run_id, r.finished_at, coalesce(r.config ->> 'policy', parent.store_key) as policy, r.config ->> 'baseline' as baseline, r.config ->> 'reward' as reward,
             (r.result ->> 'prompts')::int as prompts, (${a} ->> 'winRateVsBaseline')::float8 as win_rate, (${a} ->> 'klToBaseline')::float8 as kl,
             (${a} ->> 'meanScore')::float8 - (${b} ->> 'meanScore')::float8 as gain, (r.result -> 'optimum' ->> 'shareOfGain')::float8 as share
      from runs r left join checkpoints parent on parent.id = r.parent_checkpoint_id
      where r.kind = 'eval' and r.status = 'succeeded' ${campaignId ? sql`and ${promptsOrRewardOf(campaignId)}` : sql``}
      order by r.finished_at desc, r.id desc
      limit ${limit}
    ) newest order by finished_at, run_id`);
  return rows.map((r) => ({
    runId: r.run_id,
    finishedAt: iso(r.finished_at),
    policy: r.policy,
    baseline: r.baseline,
    reward: r.reward,
    prompts: r.prompts,
    winRate: r.win_rate,
    kl: r.kl,
    gain: r.gain,
    shareOfOptimum: r.share,
  }));
}

type DashboardCampaign = { id: string; name: string };

/** Every campaign, newest first: the dashboard's campaign filter. */
function dashboardCampaigns(): Promise<DashboardCampaign[]> {
  return db.select({ id: campaigns.id, name: campaigns.name }).from(campaigns).orderBy(desc(campaigns.createdAt), campaigns.id);
}

export type ResearchDashboard = {
  days: number;
  from: string;
  to: string;
  /** The campaigns one can narrow to. */
  campaigns: DashboardCampaign[];
  /** The campaign the figures are narrowed to; null for every campaign. */
  campaign: DashboardCampaign | null;
  /** A campaign was asked for that does not exist (or is no id at all), so every campaign is shown. */
  unknownCampaign: boolean;
  activity: DayActivity[];
  rewardRounds: RewardRound[];
  ppoRounds: PpoRound[];
  evaluations: Evaluation[];
};

/** The dashboard over the last `days` UTC days, for one campaign (by id) or, when it names none that exists, every campaign. */
export async function researchDashboard({ days = defaultRange, campaignId, now = new Date() }: { days?: number; campaignId?: string; now?: Date } = {}): Promise<ResearchDashboard> {
  const { from, to } = lastDays({ days, now });
  const all = await dashboardCampaigns();
  const campaign = campaignId ? (all.find((c) => c.id === campaignId.toLowerCase()) ?? null) : null;
  const scope = { campaignId: campaign?.id };
  const [activity, reward, ppo, evals] = await Promise.all([labelingActivityByDay({ from, to, ...scope }), rewardRounds(scope), ppoRounds(scope), evaluations(scope)]);
  return { days, from, to, campaigns: all, campaign, unknownCampaign: Boolean(campaignId) && !campaign, activity, rewardRounds: reward, ppoRounds: ppo, evaluations: evals };
}
