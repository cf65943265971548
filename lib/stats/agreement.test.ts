import { describe, expect, it } from "vitest";
import { binomialTwoSidedP, krippendorffAlphaOrdinal, majority, median, pairwiseAgreement } from "./agreement";

describe("Krippendorff's alpha (ordinal)", () => {
  it("is 1 for perfect agreement", () => {
    expect(krippendorffAlphaOrdinal([[1, 1], [2, 2, 2], [3, 3]])).toBeCloseTo(1, 12);
  });

  it("matches a hand computation with two categories: 1 - 5*2/18", () => {
    // o11 = 2, o22 = 2, o12 = o21 = 1; n1 = n2 = 3, n = 6; delta^2 constant.
    expect(krippendorffAlphaOrdinal([[1, 1], [2, 2], [1, 2]])).toBeCloseTo(1 - 10 / 18, 12);
  });

  it("matches a hand computation with three ordered categories: 1 - 5*17/180", () => {
    // n1 = 3, n2 = 2, n3 = 1; d2(1,2) = 2.5^2, d2(2,3) = 1.5^2, d2(1,3) = (6 - 2)^2.
    // observed = 2*6.25 + 2*2.25 = 17; expected = 2*(3*2*6.25 + 2*1*2.25 + 3*1*16) = 180.
    expect(krippendorffAlphaOrdinal([[1, 2], [2, 3], [1, 1]])).toBeCloseTo(1 - (5 * 17) / 180, 12);
  });

  it("weighs a unit by its count as if it were repeated", () => {
    const units = [[1, 1], [2, 2], [1, 2]];
    expect(krippendorffAlphaOrdinal(units, [3, 1, 2])).toBeCloseTo(krippendorffAlphaOrdinal([[1, 1], [1, 1], [1, 1], [2, 2], [1, 2], [1, 2]])!, 12);
    expect(krippendorffAlphaOrdinal(units, [3, 1, 2])).not.toBeCloseTo(krippendorffAlphaOrdinal(units)!, 3);
    expect(pairwiseAgreement([["a", "a", "b"], ["b", "b"]], [1, 3])).toBeCloseTo((1 + 3) / (3 + 3), 12);
  });

  it("ignores single-value units and returns null without variation", () => {
    expect(krippendorffAlphaOrdinal([[1], [2]])).toBeNull();
    expect(krippendorffAlphaOrdinal([[1, 1], [1, 1]])).toBeNull();
  });
});

describe("agreement helpers", () => {
  it("counts agreeing pairs within units", () => {
    // unit 1: 3 pairs, 1 agrees (a,a); unit 2: 1 pair, agrees.
    expect(pairwiseAgreement([["a", "a", "b"], ["b", "b"]])).toBeCloseTo(2 / 4, 12);
  });

  it("gives the exact two-sided binomial p", () => {
    expect(binomialTwoSidedP(9, 10)).toBeCloseTo(22 / 1024, 12);
    expect(binomialTwoSidedP(5, 10)).toBe(1);
    expect(binomialTwoSidedP(0, 3)).toBeCloseTo(2 / 8, 12);
    expect(binomialTwoSidedP(60_000, 100_000)).toBeLessThan(1e-100);
  });

  it("matches the exact sum of binomial coefficients for every k up to n = 70", () => {
    for (let n = 1; n <= 70; n++) {
      let coefficient = 1n;
      let below = 0n;
      for (let k = 0; k <= n; k++) {
        if (k > 0) coefficient = (coefficient * BigInt(n - k + 1)) / BigInt(k);
        below += coefficient;
        if (2 * k > n) break;
        // Twice P(X <= k) for k at or below the middle; the test is symmetric.
        const exact = Math.min(1, Number((2n * below * 10n ** 60n) / 2n ** BigInt(n)) / 1e60);
        expect(Math.abs(binomialTwoSidedP(k, n) - exact) / exact, `k=${k} n=${n}`).toBeLessThan(1e-13);
        expect(binomialTwoSidedP(n - k, n)).toBe(binomialTwoSidedP(k, n));
      }
    }
  });

  it("is exact to 1e-14 for n in the hundreds of thousands, where the terms run from 1e-30000 up", () => {
    // 2 * sum(comb(n, i) for i <= k) / 2**n in integers, to 40 digits (Python's big integers and Decimal).
    const exact: [number, number, number][] = [
      [499, 1000, 0.974774981821639198093158311],
      [490, 1000, 0.547972745923477037929337046],
      [49899, 99999, 0.527087397668898855716632923],
      [49399, 99999, 0.000147765768086308134297060441],
      [155688, 312000, 0.264700899958030924949988637],
    ];
    for (const [k, n, p] of exact) expect(Math.abs(binomialTwoSidedP(k, n) - p) / p, `k=${k} n=${n}`).toBeLessThan(1e-14);
  });

  it("finds medians and strict majorities", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(majority(["a", "b", "a"])).toBe("a");
    expect(majority(["a", "b"])).toBeNull();
  });
});
