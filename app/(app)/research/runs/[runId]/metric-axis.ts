/**
 * The y-axis domain of a run's metric chart. recharts' "auto" rounds the data's range out to
 * even ticks; for a flat series (one point, or a value that does not move) that means one tick
 * each way, so a loss or an accuracy that sat at 1 was drawn on an axis from -1 to 3. Here a
 * flat series gets one round step either side, which never takes a positive value's axis below
 * 0, and a metric that cannot be negative, sitting at 0, gets an axis from 0. A fraction's axis
 * never runs above 1, moving or not.
 */
export type AxisDomain = [number | "auto", number | "auto"];

/**
 * Metrics that are never below 0 by construction: losses that are (cross-entropy, Bradley-Terry,
 * DPO, value MSE), KLs, entropies, calibration error, rates, fractions, counts and timings.
 * Not `loss/policy` (PPO's clipped objective is often negative), `objective/scores` or reward
 * margins and means, which can be.
 */
const nonNegative = [
  /^loss\/(train|val|value|ptx|dpo)$/,
  /^eval\/loss\//,
  /(^|\/)(kl|approxkl|policykl|kl_coef)$/,
  /(^|\/)entropy$/,
  /^reward\/ece$/,
  /accurac(y|ies)(_val)?$/,
  /clipfrac$/,
  /_rate$/,
  /^val\/perplexity$/,
  /^tokens\//,
  /^time\//,
  /^train\/(steps|seconds|best_step)$/,
  /^ppo\//,
];

/** Counts (iterations, epochs, steps, flags, pairs): whole numbers, never below 0. */
const counts = [/(^|\/)iteration$/, /^ppo\/(epochs|early_stopped)$/, /^health\/flags$/, /^train\/(steps|best_step)$/, /^data\//];

/** A count's axis ticks whole numbers only (allowDecimals false): 4 epochs is not 3.5 or 4.25. */
export function isCountMetric(name: string): boolean {
  return counts.some((re) => re.test(name));
}

export function isNonNegativeMetric(name: string): boolean {
  return nonNegative.some((re) => re.test(name)) || isCountMetric(name);
}

/** Fractions of a whole: their axis never runs above 1. */
const fraction = [/accurac(y|ies)(_val)?$/, /clipfrac$/, /_rate$/];
const isFraction = (name: string) => fraction.some((re) => re.test(name));

/** 1, 2 or 5 times a power of ten, the smallest such at least `x` (> 0). */
function niceStep(x: number): number {
  const power = 10 ** Math.floor(Math.log10(x));
  const m = x / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

/** `x` to the decimals of `step`, without binary noise (0.6000000000000001 -> 0.6) or a -0. */
function roundTo(x: number, step: number): number {
  return Number(x.toFixed(Math.max(0, -Math.floor(Math.log10(step))))) || 0;
}

/**
 * `values`: every point drawn on the chart (this run's and a compared run's). A flat series
 * gets one even step either side of its value (a fifth to a half of it; 1 around 0), so the
 * ticks stay round and a positive value's axis starts at 0 at the lowest.
 */
export function metricAxisDomain(name: string, values: number[]): AxisDomain {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return ["auto", "auto"];
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  if (min !== max) return isFraction(name) && min >= 0 && max <= 1 ? fractionDomain(min, max) : ["auto", "auto"];
  const value = min;
  if (value === 0) return [isNonNegativeMetric(name) ? 0 : -1, 1];
  // A count's step is at least 1, so its whole-number ticks fall on the padding's ends.
  const step = isCountMetric(name) ? Math.max(1, niceStep(Math.abs(value) / 4)) : niceStep(Math.abs(value) / 4);
  // 0.2 / 0.05 is 4.000000000000001 in floating point: a value on a tick is on it.
  const q = Math.abs(value / step - Math.round(value / step)) < 1e-9 ? Math.round(value / step) : value / step;
  const low = roundTo(Math.floor(q) * step - step, step);
  const high = roundTo(Math.ceil(q) * step + step, step);
  const capped = isFraction(name) && value <= 1 ? Math.min(high, 1) : high;
  return [low, capped];
}

/**
 * A moving fraction's axis: four equal round steps (recharts draws five ticks) that hold the data
 * and end at 1 at the highest. recharts' "auto" rounds out past 1 (0.5 to 0.99 drew 0.45 to 1.05,
 * 0.4 to 1 drew up to 1.2), and its ticks inside a fixed domain are only round when the domain is.
 */
function fractionDomain(min: number, max: number): AxisDomain {
  for (let step = niceStep((max - min) / 4); ; step = niceStep(step * 1.5)) {
    let low = Math.floor(min / step + 1e-9) * step;
    if (low + 4 * step > 1) low = Math.max(0, 1 - 4 * step);
    const high = Math.min(1, low + 4 * step);
    const steps = (high - low) / step;
    if (low <= min + 1e-9 && max <= high + 1e-9 && Math.abs(steps - Math.round(steps)) < 1e-9) return [roundTo(low, step), roundTo(high, step)];
  }
}

/**
 * A metric's last value as its chart's heading shows it: a whole number whole ("4", not the
 * "4.000" of an iteration or a count of flags), 10,000 and over to the unit ("23121", not the
 * "2.312e+4" that toPrecision gives a tokens/s), anything else to 4 significant digits.
 */
export function formatMetricValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 10_000) return String(Math.round(value));
  return value.toPrecision(4);
}
