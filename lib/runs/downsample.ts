/**
 * Thinning a metric series for a chart that is a few hundred pixels wide, keeping its shape:
 * the steps are cut into equal buckets and each bucket keeps its lowest and its highest point,
 * so a spike or a dip survives however many points it is drawn from. The first and last step
 * are always kept exact, and so is the series' most recently written point (a poller's `since`
 * cursor). lib/runs/queue.ts runs the same rule in SQL, so a page of the server and a
 * client's own re-thinning of what it holds agree. No imports: client code uses it too.
 */

/** Buckets of a series thinned to about `points` points: two points (min and max) per bucket, plus the ends. */
export function bucketsFor(points: number): number {
  return Math.max(1, Math.floor((points - 2) / 2));
}

/** The bucket of `step` in a series that runs from step `lo` to `hi`: 0 .. buckets-1. */
function bucketOf(step: number, lo: number, hi: number, buckets: number): number {
  return Math.floor(((step - lo) * buckets) / (hi - lo + 1));
}

type Point = { step: number; value: number; at?: string };

/**
 * One series (one name, each step once) thinned to about `points` points, sorted by step.
 * A series that already has that few is returned as it is.
 */
export function downsampleSeries<P extends Point>(series: readonly P[], points: number): P[] {
  const buckets = bucketsFor(points);
  if (series.length <= 2 * buckets + 2) return [...series].sort((a, b) => a.step - b.step);
  let lo = Infinity;
  let hi = -Infinity;
  let lastAt = "";
  for (const p of series) {
    lo = Math.min(lo, p.step);
    hi = Math.max(hi, p.step);
    if (p.at !== undefined && p.at > lastAt) lastAt = p.at;
  }
  // Ties go to the earlier step, as in the SQL (order by value, step).
  const low = new Map<number, P>();
  const high = new Map<number, P>();
  const kept = new Set<P>();
  for (const p of series) {
    const b = bucketOf(p.step, lo, hi, buckets);
    const l = low.get(b);
    if (!l || p.value < l.value || (p.value === l.value && p.step < l.step)) low.set(b, p);
    const h = high.get(b);
    if (!h || p.value > h.value || (p.value === h.value && p.step < h.step)) high.set(b, p);
    if (p.step === lo || p.step === hi || (lastAt !== "" && p.at === lastAt)) kept.add(p);
  }
  for (const p of low.values()) kept.add(p);
  for (const p of high.values()) kept.add(p);
  return [...kept].sort((a, b) => a.step - b.step);
}
