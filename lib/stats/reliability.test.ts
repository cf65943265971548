import { describe, expect, it } from "vitest";
import { oneCoinDawidSkene, type Vote } from "./reliability";

describe("one-coin Dawid-Skene", () => {
  it("separates reliable labelers from one who answers at random", () => {
    // 40 items whose truth is A for even items. Two labelers always right, one always wrong on
    // every third item and right otherwise, one flipping a fair (seeded) coin.
    let seed = 7;
    const coin = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 < 0.5);
    const votes: Vote[] = [];
    for (let i = 0; i < 40; i++) {
      const truthA = i % 2 === 0;
      const item = `p${i}`;
      votes.push({ item, labeler: "good1", saysA: truthA }, { item, labeler: "good2", saysA: truthA });
      votes.push({ item, labeler: "sloppy", saysA: i % 3 === 0 ? !truthA : truthA });
      votes.push({ item, labeler: "random", saysA: coin() });
    }
    const acc = oneCoinDawidSkene(votes);
    expect(acc.get("good1")!).toBeGreaterThan(0.9);
    expect(acc.get("good2")!).toBeGreaterThan(0.9);
    // sloppy is wrong on 14 of 40: (26 + 1) / (40 + 2) = 0.643 once the items are settled.
    expect(acc.get("sloppy")!).toBeCloseTo(27 / 42, 1);
    expect(Math.abs(acc.get("random")! - 0.5)).toBeLessThan(0.2);
  });

  it("keeps a labeler with one vote near the prior", () => {
    const acc = oneCoinDawidSkene([{ item: "x", labeler: "solo", saysA: true }]);
    expect(acc.get("solo")!).toBeGreaterThan(0.5);
    expect(acc.get("solo")!).toBeLessThan(0.8);
  });

  // Its speed (9 s before, for 225,000 votes) is measured by bench/research-scale, not here.
  it("gives, bit for bit, what the plain map-by-name EM gives, and recovers 60 labelers' accuracies from 225,000 votes", () => {
    let seed = 11;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const labelers = Array.from({ length: 60 }, (_, i) => ({ id: `l${i}`, accuracy: 0.55 + 0.4 * rand() }));
    const votes: Vote[] = [];
    for (let i = 0; i < 75_000; i++) {
      const truthA = rand() < 0.5;
      for (let k = 0; k < 3; k++) {
        const l = labelers[(i + k * 17) % labelers.length]!;
        votes.push({ item: `pair-${i}`, labeler: l.id, saysA: rand() < l.accuracy ? truthA : !truthA });
      }
    }
    const small = votes.slice(0, 3000);
    expect([...oneCoinDawidSkene(small)]).toEqual([...referenceDawidSkene(small)]);
    const acc = oneCoinDawidSkene(votes);
    for (const l of labelers) expect(Math.abs(acc.get(l.id)! - l.accuracy)).toBeLessThan(0.1);
  });
});

/** The EM written plainly, by name: the specification the array version must match exactly. */
function referenceDawidSkene(votes: Vote[], iterations = 50, tolerance = 1e-6): Map<string, number> {
  const labelers = [...new Set(votes.map((v) => v.labeler))];
  const accuracy = new Map(labelers.map((l) => [l, 0.7]));
  const byItem = new Map<string, Vote[]>();
  for (const v of votes) byItem.set(v.item, [...(byItem.get(v.item) ?? []), v]);
  for (let it = 0; it < iterations; it++) {
    const posterior = new Map<string, number>();
    for (const [item, vs] of byItem) {
      let logOdds = 0;
      for (const v of vs) {
        const a = Math.min(1 - 1e-6, Math.max(1e-6, accuracy.get(v.labeler)!));
        logOdds += v.saysA ? Math.log(a / (1 - a)) : -Math.log(a / (1 - a));
      }
      posterior.set(item, 1 / (1 + Math.exp(-logOdds)));
    }
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
