import { describe, expect, it } from "vitest";
import {
  AdaptiveKlController,
  distinctN,
  expectedCalibrationError,
  FixedKlController,
  gae,
  klPerToken,
  leaveOneOutBaselines,
  maskedMean,
  maskedVar,
  maskedWhiten,
  pairUncertainty,
  repeatedNgramRate,
  sigmoid,
  varianceExplained,
} from "./rl-math";

describe("masked statistics", () => {
  const values = [1, 2, 3, 4];
  const mask = [1, 1, 0, 1];
  it("mean and unbiased variance over the masked entries", () => {
    expect(maskedMean(values, mask)).toBeCloseTo(7 / 3, 12); // (1 + 2 + 4) / 3
    expect(maskedVar(values, mask)).toBeCloseTo(7 / 3, 12); // (16/9 + 1/9 + 25/9) / 3 * 3/2
    expect(maskedVar(values, mask, false)).toBeCloseTo(14 / 9, 12);
  });
  it("whitens to zero mean and unit variance, masked-out entries 0", () => {
    const w = maskedWhiten(values, mask);
    expect(w[0]).toBeCloseTo(-4 / 3 / Math.sqrt(7 / 3), 6); // -0.872872
    expect(w[1]).toBeCloseTo(-1 / 3 / Math.sqrt(7 / 3), 6);
    expect(w[2]).toBe(0);
    expect(w[3]).toBeCloseTo(1.091089, 5);
    expect(maskedWhiten(values, mask, false)[3]).toBeCloseTo(1.091089 + 7 / 3, 5);
  });
});

describe("GAE", () => {
  it("matches hand-computed advantages and returns", () => {
    // rewards [0, 0, 1], values [0.5, 0.4, 0.3], gamma 1, lambda 0.95:
    // A2 = 1 - 0.3 = 0.7; A1 = (0.3 - 0.4) + 0.95 * 0.7 = 0.565; A0 = (0.4 - 0.5) + 0.95 * 0.565 = 0.43675
    const { advantages, returns } = gae([0, 0, 1], [0.5, 0.4, 0.3], 1, 0.95);
    [0.43675, 0.565, 0.7].forEach((a, i) => expect(advantages[i]).toBeCloseTo(a, 12));
    [0.93675, 0.965, 1.0].forEach((r, i) => expect(returns[i]).toBeCloseTo(r, 12));
  });
  it("discounts with gamma and lambda", () => {
    // gamma 0.9, lambda 0.5: A2 = 0.7; A1 = 0.9*0.3 - 0.4 + 0.45*0.7 = 0.185; A0 = 0.9*0.4 - 0.5 + 0.45*0.185 = -0.05675
    const { advantages } = gae([0, 0, 1], [0.5, 0.4, 0.3], 0.9, 0.5);
    [-0.05675, 0.185, 0.7].forEach((a, i) => expect(advantages[i]).toBeCloseTo(a, 12));
  });
});

describe("leave-one-out baselines", () => {
  it("are the mean of the other responses to the same prompt", () => {
    // group [1, 2, 6]: baselines (2+6)/2 = 4, (1+6)/2 = 3.5, (1+2)/2 = 1.5; group [0, -3, 3]: 0, 1.5, -1.5
    const b = leaveOneOutBaselines([1, 2, 6, 0, -3, 3], 3);
    [4, 3.5, 1.5, 0, 1.5, -1.5].forEach((x, i) => expect(b[i]).toBeCloseTo(x, 12));
    // pairs: each response's baseline is the other's reward
    expect(Array.from(leaveOneOutBaselines([5, -1], 2))).toEqual([-1, 5]);
  });
  it("refuses groups of one and rewards that do not split into groups", () => {
    expect(() => leaveOneOutBaselines([1, 2], 1)).toThrow(/at least 2/);
    expect(() => leaveOneOutBaselines([1, 2, 3], 2)).toThrow(/do not split into groups of 2/);
  });
});

describe("KL", () => {
  it("per-token estimators", () => {
    expect(klPerToken(-1, -2, "k1")).toBe(1);
    expect(klPerToken(-2, -1, "k1")).toBe(-1);
    expect(klPerToken(-1, -2, "k3")).toBeCloseTo(0.36787944, 7); // e^-1 - 1 + 1
    expect(klPerToken(-2, -1, "k3")).toBeCloseTo(Math.E - 2, 7); // e^1 - 1 - 1, never negative
    expect(klPerToken(-1, -1.5, "mse")).toBeCloseTo(0.125, 12);
    expect(klPerToken(-1.5, -1, "abs")).toBe(0.5);
  });
  it("adaptive controller follows Ziegler et al.'s proportional update", () => {
    const c = new AdaptiveKlController(0.2, 6, 10000);
    c.update(9, 256); // error clipped to +0.2: 0.2 * (1 + 0.2 * 256 / 10000)
    expect(c.value).toBeCloseTo(0.201024, 12);
    c.update(3, 256); // error clipped to -0.2
    expect(c.value).toBeCloseTo(0.2 * (1 - 0.00512 ** 2), 12);
    const d = new AdaptiveKlController(0.1, 6, 1000);
    d.update(6.6, 100); // error 0.1: 0.1 * (1 + 0.1 * 100 / 1000)
    expect(d.value).toBeCloseTo(0.101, 12);
    const f = new FixedKlController(0.05);
    f.update();
    expect(f.value).toBe(0.05);
  });
});

describe("other statistics", () => {
  it("expected calibration error counts each pair both ways", () => {
    // (0.9, 1) (0.1, 0) (0.6, 1) (0.4, 0): bins' gaps 0.1, 0.1, 0.4, 0.4 -> 0.25
    expect(expectedCalibrationError([0.9, 0.6], [1, 1])).toBeCloseTo(0.25, 12);
    expect(expectedCalibrationError([0.5], [0.5])).toBeCloseTo(0, 12);
  });
  it("variance explained", () => {
    expect(varianceExplained([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(varianceExplained([1, 2, 3], [2, 2, 2])).toBeCloseTo(0, 12);
    expect(varianceExplained([1, 2, 3], [3, 2, 1])).toBeCloseTo(-3, 12); // var([-2,0,2]) / var([1,2,3]) = 4
  });
  it("distinct-2 and repeated n-grams", () => {
    expect(distinctN(["a b a b", "a b c"])).toBeCloseTo(3 / 5, 12); // ab ba ab | ab bc
    expect(repeatedNgramRate([1, 2, 1, 2, 1, 2], 2)).toBeCloseTo(3 / 5, 12);
    expect(repeatedNgramRate([1, 2, 3, 4], 3)).toBe(0);
  });
});

describe("pairUncertainty", () => {
  it("is 1 - |2p - 1| of the Bradley-Terry probability, symmetric, and exact far from 0.5", () => {
    expect(pairUncertainty(1.5, 1.5)).toBe(1);
    // d = 2: p = 1 / (1 + e^-2) = 0.880797..., u = 1 - (2p - 1) = 0.238405...
    expect(pairUncertainty(3, 1)).toBeCloseTo(0.2384058440442351, 12);
    expect(pairUncertainty(1, 3)).toBeCloseTo(0.2384058440442351, 12);
    // d = ln 3: p = 0.75, u = 0.5
    expect(pairUncertainty(Math.log(3), 0)).toBeCloseTo(0.5, 12);
    for (const d of [-4, -0.3, 0.01, 2.5]) expect(pairUncertainty(d, 0)).toBeCloseTo(1 - Math.abs(2 * sigmoid(d) - 1), 12);
    // d = 40: 1 - |2p - 1| rounds to 0 in doubles; 2 sigmoid(-40) = 2 e^-40 does not.
    expect(pairUncertainty(40, 0)).toBeCloseTo(2 * Math.exp(-40), 30);
    expect(pairUncertainty(40, 0)).toBeGreaterThan(pairUncertainty(41, 0));
  });
});
