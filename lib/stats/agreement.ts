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

/** Exact two-sided binomial test of k successes in n trials against p = 0.5. */
export function binomialTwoSidedP(k: number, n: number): number {
  if (n === 0) return 1;
  const tail = Math.min(k, n - k);
  // P(X <= tail) in log space (n in the hundreds of thousands would underflow), with
  // log C(n, i+1) = log C(n, i) + log(n - i) - log(i + 1), so the sum is linear in tail.
  const logs: number[] = [];
  let logChoose = 0;
  for (let i = 0; i <= tail; i++) {
    logs.push(logChoose - n * Math.LN2);
    logChoose += Math.log(n - i) - Math.log(i + 1);
  }
  const max = logs.reduce((m, l) => (l > m ? l : m), -Infinity);
  const p = Math.exp(max) * logs.reduce((s, l) => s + Math.exp(l - max), 0);
  return Math.min(1, 2 * p);
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
