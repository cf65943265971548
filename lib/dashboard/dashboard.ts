/**
 * The research dashboard's figures, each one query: judgments and active labelers per UTC day,
 * the reward model's validation accuracy per reward round, and the PPO policy's reward and KL
 * per PPO round. A round is a succeeded run of that kind, numbered by when it finished.
 */
import "server-only";
import { sql } from "drizzle-orm";
import { db } from "@/db/client";

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

/** One row per UTC day from `from` to `to` (inclusive), days without judgments included as zeros. */
export async function labelingActivityByDay({ from, to }: { from: string; to: string }): Promise<DayActivity[]> {
  if (!DAY.test(from) || !DAY.test(to)) throw new Error("from and to are dates, YYYY-MM-DD");
  const rows = await db.execute<DayActivity>(sql`
    with per_day as (
      select (created_at at time zone 'UTC')::date as day, count(*)::int as labels, count(distinct labeler_id)::int as labelers
      from comparisons
      where created_at >= (${from}::date)::timestamp at time zone 'UTC'
        and created_at < (${to}::date + 1)::timestamp at time zone 'UTC'
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

/** Every succeeded run of a kind with the named final metrics (alias -> metric name). */
async function rounds<K extends string>(kind: "reward" | "ppo", metrics: Record<K, string>): Promise<Array<Round & Record<K, number | null>>> {
  const columns = Object.entries<string>(metrics).map(([alias, name]) => sql`${metric(name)} as ${sql.identifier(alias)}`);
  const rows = await db.execute<{ run_id: string; checkpoint_id: string | null; checkpoint_name: string | null; finished_at: Date | string } & Record<K, number | null>>(sql`
    select r.id as run_id, c.id as checkpoint_id, c.name as checkpoint_name, r.finished_at, ${sql.join(columns, sql`, `)}
    from runs r left join checkpoints c on c.id = r.output_checkpoint_id
    where r.kind = ${kind} and r.status = 'succeeded'
    order by r.finished_at, r.id`);
  return rows.map((r, i) => {
    const values = {} as Record<K, number | null>;
    for (const alias of Object.keys(metrics) as K[]) values[alias] = (r[alias] as number | null) ?? null;
    return { round: i + 1, runId: r.run_id, checkpointId: r.checkpoint_id, checkpointName: r.checkpoint_name, finishedAt: iso(r.finished_at), ...values };
  });
}

export function rewardRounds(): Promise<RewardRound[]> {
  return rounds("reward", { accuracy: "reward/accuracy_val", valPairs: "data/val_pairs" });
}

export function ppoRounds(): Promise<PpoRound[]> {
  return rounds("ppo", { score: "objective/scores", rlhfReward: "objective/rlhf_reward", kl: "objective/kl" });
}

export type ResearchDashboard = { from: string; to: string; activity: DayActivity[]; rewardRounds: RewardRound[]; ppoRounds: PpoRound[] };

export async function researchDashboard({ days = 30, now = new Date() }: { days?: number; now?: Date } = {}): Promise<ResearchDashboard> {
  const { from, to } = lastDays({ days, now });
  const [activity, reward, ppo] = await Promise.all([labelingActivityByDay({ from, to }), rewardRounds(), ppoRounds()]);
  return { from, to, activity, rewardRounds: reward, ppoRounds: ppo };
}
