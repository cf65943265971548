/**
 * Health flags raised during a PPO run, each with one sentence saying what it means. They are
 * judged on the per-iteration metrics history, so they work the same live and on resume.
 */
import type { PpoConfig } from "./config";

type HealthFlagName = "negative_kl" | "kl_high" | "length_runaway" | "length_collapse" | "entropy_collapse" | "value_not_learning" | "repetition";

export interface HealthFlag {
  flag: HealthFlagName;
  iteration: number;
  message: string;
}

/** `health: kl_high at iteration 12: <sentence>` (`before training` for iteration 0): a flag as the CLI and a run's log show it. */
export const healthFlagLine = (f: { flag: string; iteration: number; message: string }) =>
  `health: ${f.flag} ${f.iteration > 0 ? `at iteration ${f.iteration}` : "before training"}: ${f.message}`;

type Row = Record<string, number>;

const slope = (ys: number[]) => {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
};

/**
 * Flags that hold at the latest iteration of history (one metrics row per iteration).
 * Thresholds: KL below -0.5 nats; KL over klHighMultiple x target; mean length over 2x or under
 * 0.5x the first iteration's while the score trends up over the window; entropy per token under
 * 20% of the first iteration's; var_explained < 0 for healthWindow iterations in a row (GAE
 * only: RLOO trains no value head); repeated 3-gram rate up by 0.15 from the first iteration
 * while the score trends up.
 */
export function healthFlags(history: Row[], config: Pick<PpoConfig, "klTarget" | "klHighMultiple" | "healthWindow"> & Partial<Pick<PpoConfig, "advantage">>): HealthFlag[] {
  const now = history.at(-1);
  const first = history[0];
  if (!now || !first) return [];
  const iteration = now.iteration ?? history.length;
  const out: HealthFlag[] = [];
  const add = (flag: HealthFlagName, message: string) => out.push({ flag, iteration, message });
  const window = history.slice(-config.healthWindow);
  const rewardRising = window.length >= 3 && slope(window.map((r) => r["objective/scores"])) > 0;
  const kl = now["objective/kl"];
  if (kl < -0.5) add("negative_kl", `objective/kl is ${kl.toFixed(2)} nats: the sampled tokens are likelier under the reference than the policy, which means rollouts are not sampled from the policy itself (temperature, top-k/top-p) or its log-probs are computed differently from the reference's.`);
  if (kl > config.klHighMultiple * config.klTarget) add("kl_high", `objective/kl is ${kl.toFixed(2)} nats, over ${config.klHighMultiple}x the ${config.klTarget}-nat target: the policy is leaving the reference faster than the KL penalty holds it; lower the learning rate or raise the KL coefficient.`);
  const len = now["tokens/response_len_mean"];
  const len0 = first["tokens/response_len_mean"];
  if (rewardRising && len > 2 * len0) add("length_runaway", `Mean response length grew from ${len0.toFixed(1)} to ${len.toFixed(1)} tokens while the score rises: the reward model may be paying for length rather than quality.`);
  if (rewardRising && len < 0.5 * len0) add("length_collapse", `Mean response length fell from ${len0.toFixed(1)} to ${len.toFixed(1)} tokens while the score rises: the policy may be exploiting short answers the reward model over-scores.`);
  const ent = now["objective/entropy"] / Math.max(1, len);
  const ent0 = first["objective/entropy"] / Math.max(1, len0);
  if (ent0 > 0 && ent < 0.2 * ent0) add("entropy_collapse", `Entropy per token fell from ${ent0.toFixed(2)} to ${ent.toFixed(2)} nats: the policy has become nearly deterministic, so rollouts stop exploring and samples lose diversity.`);
  const lastVe = history.slice(-config.healthWindow).map((r) => r["val/var_explained"]);
  if (config.advantage !== "rloo" && history.length >= config.healthWindow && lastVe.every((v) => v < 0)) add("value_not_learning", `val/var_explained has been below 0 for ${config.healthWindow} iterations: the value head predicts returns worse than their mean, so advantages are mostly noise; check vfCoef and the learning rate.`);
  const rep = now["tokens/repeat_3gram_rate"];
  const rep0 = first["tokens/repeat_3gram_rate"];
  if (rewardRising && rep > rep0 + 0.15) add("repetition", `The repeated 3-gram rate rose from ${rep0.toFixed(2)} to ${rep.toFixed(2)} while the score rises: the policy may be hacking the reward by repeating what it rewards.`);
  return out;
}
