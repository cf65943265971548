/**
 * Labeler reliability by a one-coin Dawid-Skene model (Dawid & Skene 1979, with one
 * accuracy per labeler): each item has a hidden better side; each labeler reports it with
 * their own accuracy. EM alternates the items' posteriors and the labelers' accuracies.
 * A Beta(2, 2) prior keeps labelers with few votes near 0.5 instead of at 0 or 1.
 */
export type Vote = { item: string; labeler: string; saysA: boolean };

export function oneCoinDawidSkene(votes: Vote[], { iterations = 50, tolerance = 1e-6 } = {}): Map<string, number> {
  const labelers = [...new Set(votes.map((v) => v.labeler))];
  const accuracy = new Map(labelers.map((l) => [l, 0.7]));
  const byItem = new Map<string, Vote[]>();
  for (const v of votes) {
    const list = byItem.get(v.item);
    if (list) list.push(v);
    else byItem.set(v.item, [v]);
  }
  for (let it = 0; it < iterations; it++) {
    // E-step: P(item's better side is A) from every vote's log-likelihood ratio.
    const posterior = new Map<string, number>();
    for (const [item, vs] of byItem) {
      let logOdds = 0;
      for (const v of vs) {
        const a = Math.min(1 - 1e-6, Math.max(1e-6, accuracy.get(v.labeler)!));
        const llr = Math.log(a / (1 - a));
        logOdds += v.saysA ? llr : -llr;
      }
      posterior.set(item, 1 / (1 + Math.exp(-logOdds)));
    }
    // M-step: each labeler's expected share of correct votes, with the Beta(2, 2) prior.
    const correct = new Map(labelers.map((l) => [l, 1]));
    const total = new Map(labelers.map((l) => [l, 2]));
    for (const v of votes) {
      const p = posterior.get(v.item)!;
      correct.set(v.labeler, correct.get(v.labeler)! + (v.saysA ? p : 1 - p));
      total.set(v.labeler, total.get(v.labeler)! + 1);
    }
    let change = 0;
    for (const l of labelers) {
      const next = correct.get(l)! / total.get(l)!;
      change = Math.max(change, Math.abs(next - accuracy.get(l)!));
      accuracy.set(l, next);
    }
    if (change < tolerance) break;
  }
  return accuracy;
}
