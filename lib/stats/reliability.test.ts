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
});
