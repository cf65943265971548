/**
 * Small pure helpers of RLHF's arithmetic on plain arrays, each unit-tested against hand-computed
 * numbers: masked statistics, GAE, the KL estimators and controllers, calibration, text diversity.
 * Formulas follow TRL's (trl/core.py and ppo_trainer.py) so the numbers are comparable.
 */

export type Vec = ArrayLike<number>;

/** Mean of values where mask is 1. */
export function maskedMean(values: Vec, mask: Vec): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i] * mask[i];
    n += mask[i];
  }
  return n > 0 ? s / n : 0;
}

/** Variance where mask is 1; unbiased (Bessel's n / (n - 1)) as TRL's masked_var. */
export function maskedVar(values: Vec, mask: Vec, unbiased = true): number {
  const mean = maskedMean(values, mask);
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    s += (values[i] - mean) ** 2 * mask[i];
    n += mask[i];
  }
  if (n === 0) return 0;
  const v = s / n;
  return unbiased && n > 1 ? (v * n) / (n - 1) : v;
}

/** (x - mean) / sqrt(var + 1e-8) over the masked entries; shiftMean false adds the mean back. Masked-out entries are 0. */
export function maskedWhiten(values: Vec, mask: Vec, shiftMean = true): Float64Array {
  const mean = maskedMean(values, mask);
  const scale = 1 / Math.sqrt(maskedVar(values, mask) + 1e-8);
  return Float64Array.from(values, (v, i) => (mask[i] ? (v - mean) * scale + (shiftMean ? 0 : mean) : 0));
}

/**
 * Generalised advantage estimation over one response (token t = the t-th action):
 * delta_t = r_t + gamma V_{t+1} - V_t (V after the last token is 0), A_t = delta_t + gamma lambda A_{t+1},
 * returns = A + V.
 */
export function gae(rewards: Vec, values: Vec, gamma: number, lambda: number): { advantages: Float64Array; returns: Float64Array } {
  const n = rewards.length;
  const advantages = new Float64Array(n);
  let last = 0;
  for (let t = n - 1; t >= 0; t--) {
    const next = t + 1 < n ? values[t + 1] : 0;
    const delta = rewards[t] + gamma * next - values[t];
    last = delta + gamma * lambda * last;
    advantages[t] = last;
  }
  const returns = Float64Array.from(advantages, (a, t) => a + values[t]);
  return { advantages, returns };
}

/**
 * REINFORCE leave-one-out baselines (Kool et al. 2019; RLOO, Ahmadian et al. 2024): rewards come in
 * consecutive groups of `groupSize` responses to one prompt, and each response's baseline is the
 * mean reward of the other responses in its group, so the advantage reward - baseline compares a
 * response only with its own prompt's other samples, without a value function.
 */
export function leaveOneOutBaselines(rewards: Vec, groupSize: number): Float64Array {
  if (!Number.isInteger(groupSize) || groupSize < 2) throw new Error("leave-one-out baselines need groups of at least 2 responses");
  if (rewards.length % groupSize !== 0) throw new Error(`${rewards.length} rewards do not split into groups of ${groupSize}`);
  const out = new Float64Array(rewards.length);
  for (let g = 0; g < rewards.length; g += groupSize) {
    let sum = 0;
    for (let i = g; i < g + groupSize; i++) sum += rewards[i];
    for (let i = g; i < g + groupSize; i++) out[i] = (sum - rewards[i]) / (groupSize - 1);
  }
  return out;
}

export const klEstimators = ["k1", "k3", "abs", "mse"] as const;
export type KlEstimator = (typeof klEstimators)[number];

/**
 * Per-token KL of the policy to the reference from the sampled token's log-probs.
 * k1: logp - ref (unbiased, can be negative); k3: (r - 1) - log r with r = p_ref / p (unbiased, >= 0,
 * lower variance; Schulman's estimator); abs and mse as TRL's kl_penalty options.
 */
export function klPerToken(logp: number, refLogp: number, kind: KlEstimator): number {
  const d = logp - refLogp;
  switch (kind) {
    case "k1":
      return d;
    case "k3":
      return Math.expm1(-d) + d;
    case "abs":
      return Math.abs(d);
    case "mse":
      return 0.5 * d * d;
  }
}

export interface KlController {
  value: number;
  update(currentKl: number, nSteps: number): void;
}

export class FixedKlController implements KlController {
  constructor(public value: number) {}
  update(): void {}
}

/**
 * Ziegler et al. (2019): beta <- beta (1 + e n / horizon) with the proportional error
 * e = clip(KL / target - 1, -0.2, 0.2) and n the samples seen since the last update.
 */
export class AdaptiveKlController implements KlController {
  constructor(
    public value: number,
    readonly target: number,
    readonly horizon: number,
  ) {}
  update(currentKl: number, nSteps: number): void {
    const error = Math.min(0.2, Math.max(-0.2, currentKl / this.target - 1));
    this.value *= 1 + (error * nSteps) / this.horizon;
  }
}

/** 1 - Var(returns - predictions) / Var(returns): 1 is perfect, 0 no better than the mean, < 0 worse. */
export function varianceExplained(returns: Vec, predictions: Vec): number {
  const ones = new Float64Array(returns.length).fill(1);
  const v = maskedVar(returns, ones, false);
  if (v === 0) return 0;
  return 1 - maskedVar(Float64Array.from(returns, (r, i) => r - predictions[i]), ones, false) / v;
}

export const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/**
 * How unsure a reward model is which of two responses is better: with the Bradley-Terry
 * p = sigmoid(scoreA - scoreB), u = 1 - |2p - 1|, 1 when p = 0.5, toward 0 as p nears 0 or 1.
 * Computed as 2 sigmoid(-|d|), the same number without the cancellation of 1 - (nearly 1).
 */
export const pairUncertainty = (scoreA: number, scoreB: number) => 2 * sigmoid(-Math.abs(scoreA - scoreB));
/** log(sigmoid(x)) without overflow. */
export const logSigmoid = (x: number) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));

/**
 * Expected calibration error of pairwise probabilities p = P(first beats second) against
 * outcomes y in [0, 1] (1 won, 0 lost, 0.5 tie or vote share). Each pair also counts mirrored
 * (1 - p, 1 - y), so a model that is always right but underconfident is penalised.
 * ECE = sum over equal-width bins of (n_bin / N) |mean p - mean y|.
 */
export function expectedCalibrationError(probs: Vec, outcomes: Vec, bins = 10): number {
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  const count = new Float64Array(bins);
  const add = (p: number, y: number) => {
    const b = Math.min(bins - 1, Math.floor(p * bins));
    sumP[b] += p;
    sumY[b] += y;
    count[b] += 1;
  };
  for (let i = 0; i < probs.length; i++) {
    add(probs[i], outcomes[i]);
    add(1 - probs[i], 1 - outcomes[i]);
  }
  const n = 2 * probs.length;
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b]) ece += (count[b] / n) * Math.abs(sumP[b] / count[b] - sumY[b] / count[b]);
  return ece;
}

/** Distinct bigrams / all bigrams over whitespace-split words of every text (Li et al. 2016's distinct-2). */
export function distinctN(texts: string[], n = 2): number {
  const seen = new Set<string>();
  let total = 0;
  for (const t of texts) {
    const words = t.split(/\s+/).filter(Boolean);
    for (let i = 0; i + n <= words.length; i++) {
      seen.add(words.slice(i, i + n).join("\u0000"));
      total++;
    }
  }
  return total ? seen.size / total : 0;
}

/** Share of a sequence's n-grams that already occurred earlier in it (0: no repetition). */
export function repeatedNgramRate(tokens: ArrayLike<number>, n = 3): number {
  const seen = new Set<string>();
  let repeated = 0;
  let total = 0;
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = Array.prototype.slice.call(tokens, i, i + n).join(",");
    if (seen.has(key)) repeated++;
    seen.add(key);
    total++;
  }
  return total ? repeated / total : 0;
}

export function mean(xs: Vec): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : 0;
}
