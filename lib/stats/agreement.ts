/** Inter-annotator statistics. Pure functions; units are items (pairs), values are judgments. */

/**
 * Krippendorff's alpha with the ordinal metric (Krippendorff 2011, "Computing
 * Krippendorff's alpha-reliability"). Units with fewer than two values carry no
 * information about agreement and are ignored. Returns null when nothing is pairable
 * or every value is the same.
 *
 * `counts[i]`, when given, is how many identical units `units[i]` stands for, so that a
 * database can send each kind of unit once with its count.
 */
export function krippendorffAlphaOrdinal(units: number[][], counts?: number[]): number | null {
  const pairable = units.map((u, i) => ({ unit: u, count: counts?.[i] ?? 1 })).filter((x) => x.unit.length >= 2);
  const categories = [...new Set(pairable.flatMap((x) => x.unit))].sort((a, b) => a - b);
  if (categories.length < 2) return null;
  const index = new Map(categories.map((c, i) => [c, i]));
  const K = categories.length;
  // Coincidence matrix: each ordered pair of values in a unit adds 1 / (m_u - 1).
  const o = Array.from({ length: K }, () => new Float64Array(K));
  for (const { unit, count } of pairable) {
    const w = count / (unit.length - 1);
    for (let i = 0; i < unit.length; i++) {
      for (let j = 0; j < unit.length; j++) {
        if (i !== j) o[index.get(unit[i]!)!]![index.get(unit[j]!)!]! += w;
      }
    }
  }
  const nc = o.map((row) => row.reduce((s, v) => s + v, 0));
  const n = nc.reduce((s, v) => s + v, 0);
  // Ordinal distance: (sum of marginals from c to k, minus half of each end)^2.
  const delta2 = (c: number, k: number) => {
    const [lo, hi] = c < k ? [c, k] : [k, c];
    let s = 0;
    for (let g = lo; g <= hi; g++) s += nc[g]!;
    return (s - (nc[lo]! + nc[hi]!) / 2) ** 2;
  };
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < K; c++) {
    for (let k = 0; k < K; k++) {
      if (c === k) continue;
      const d = delta2(c, k);
      observed += o[c]![k]! * d;
      expected += nc[c]! * nc[k]! * d;
    }
  }
  if (expected === 0) return null;
  return 1 - ((n - 1) * observed) / expected;
}

/** Share of within-unit pairs of judgments that agree exactly; `counts` as for krippendorffAlphaOrdinal. */
export function pairwiseAgreement(units: unknown[][], counts?: number[]): number | null {
  let agree = 0;
  let total = 0;
  for (const [u, unit] of units.entries()) {
    const count = counts?.[u] ?? 1;
    for (let i = 0; i < unit.length; i++) {
      for (let j = i + 1; j < unit.length; j++) {
        total += count;
        if (unit[i] === unit[j]) agree += count;
      }
    }
  }
  return total === 0 ? null : agree / total;
}

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln(n!) - ln(sqrt(2 pi n) (n / e)^n), Stirling's error: its series above 15, the factorial itself below. */
function stirlingError(n: number): number {
  if (n > 15) {
    const nn = n * n;
    return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / 1188 / nn) / nn) / nn) / nn) / n;
  }
  let lnFactorial = 0;
  for (let i = 2; i <= n; i++) lnFactorial += Math.log(i);
  return lnFactorial - LN_SQRT_2PI - (n + 0.5) * Math.log(n) + n;
}

/** x ln(x / m) + m - x, by its series when x is near m, where the plain formula cancels (Loader 2000). */
function deviance(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    let v = (x - m) / (x + m);
    let sum = (x - m) * v;
    let term = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      term *= v;
      const next = sum + term / (2 * j + 1);
      if (next === sum) return sum;
      sum = next;
    }
  }
  return x * Math.log(x / m) + m - x;
}

/** ln P(X = x) for X ~ Binomial(n, 1/2), to about 1e-15 however large n (Loader's saddle-point form, as R's dbinom). */
function logBinomialHalf(x: number, n: number): number {
  if (x === 0 || x === n) return -n * Math.LN2;
  const lc = stirlingError(n) - stirlingError(x) - stirlingError(n - x) - deviance(x, n / 2) - deviance(n - x, n / 2);
  return lc - 0.5 * (2 * LN_SQRT_2PI + Math.log(x) + Math.log1p(-x / n));
}

/**
 * Exact two-sided binomial test of k successes in n trials against p = 0.5: twice P(X <= tail).
 * The sum runs down from its largest term, each term (tail - j) / (n - tail + j + 1) times the
 * one before, and stops once all that is left (less than a term over 1 - its ratio) cannot
 * change it: a few thousand terms for n in the millions, where summing every term up from 0
 * took time in proportion to n.
 */
export function binomialTwoSidedP(k: number, n: number): number {
  if (n === 0) return 1;
  const tail = Math.min(k, n - k);
  let sum = 0;
  let term = 1;
  for (let j = 0; j <= tail; j++) {
    sum += term;
    const ratio = (tail - j) / (n - tail + j + 1);
    term *= ratio;
    if (term / (1 - ratio) < sum * 1e-17) break;
  }
  return Math.min(1, 2 * Math.exp(logBinomialHalf(tail, n)) * sum);
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The most common value, or null on a tie for first place. */
export function majority<T>(values: T[]): T | null {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | null = null;
  let bestN = 0;
  let tied = false;
  for (const [v, n] of counts) {
    if (n > bestN) [best, bestN, tied] = [v, n, false];
    else if (n === bestN) tied = true;
  }
  return tied ? null : best;
}
