/**
 * The few metrics of a checkpoint worth a column in the list: its kind's measures of quality
 * first (validation before training figures), never bookkeeping such as step counts or speed.
 */
import type { Checkpoint } from "@/db/schema";

const preferred: Record<Checkpoint["kind"], string[]> = {
  base: ["val/perplexity", "loss/val", "loss/train"],
  sft: ["val/perplexity", "text/val_perplexity", "loss/val", "loss/train"],
  reward: ["reward/accuracy_val", "reward/ece", "reward/margin_val", "reward/accuracy"],
  // DPO policies have eval/rewards/*, PPO policies objective/*.
  policy: ["eval/rewards/accuracies", "eval/rewards/margins", "eval/loss/dpo", "objective/scores", "objective/kl", "objective/rlhf_reward"],
  value: ["loss/value", "val/var_explained"],
};

const bookkeeping = /^(step|iteration|epoch|ppo\/epochs|tokens\/|time\/)|\/s$/;

/** "0.742", "35.9", "3000": integers as integers, the rest to 3 significant digits. */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString("en");
  return Math.abs(value) >= 1e5 || Math.abs(value) < 1e-3 ? value.toExponential(2) : String(Number(value.toPrecision(3)));
}

export function headlineMetrics(kind: Checkpoint["kind"], metrics: Record<string, unknown>, count = 3): Array<[string, string]> {
  const numeric = Object.entries(metrics).filter((e): e is [string, number] => typeof e[1] === "number");
  const byName = new Map(numeric);
  const chosen = preferred[kind].filter((name) => byName.has(name));
  for (const [name] of numeric) if (chosen.length < count && !chosen.includes(name) && !bookkeeping.test(name)) chosen.push(name);
  return chosen.slice(0, count).map((name) => [name, formatMetric(byName.get(name)!)]);
}
