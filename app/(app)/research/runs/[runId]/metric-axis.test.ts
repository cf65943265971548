import { describe, expect, it } from "vitest";
import { formatMetricValue, isCountMetric, isNonNegativeMetric, metricAxisDomain } from "./metric-axis";

describe("metricAxisDomain", () => {
  it("pads a flat series of a non-negative metric without crossing 0", () => {
    // recharts' "auto" drew these from -1 to 3 and from -1 upwards.
    expect(metricAxisDomain("loss/val", [1])).toEqual([0.5, 1.5]);
    expect(metricAxisDomain("reward/ece", [0.04, 0.04])).toEqual([0.03, 0.05]);
    expect(metricAxisDomain("objective/kl", [0])).toEqual([0, 1]);
    expect(metricAxisDomain("policy/clipfrac", [0, 0, 0])).toEqual([0, 1]);
    // Round ends, so the ticks between them are round too (not 0.3445076738617088).
    expect(metricAxisDomain("loss/val", [0.6931])).toEqual([0.4, 1]);
    expect(metricAxisDomain("reward/ece", [0.4979])).toEqual([0.2, 0.8]);
    expect(metricAxisDomain("tokens/s", [2500])).toEqual([1000, 4000]);
    // The lowest a positive value's axis can start is 0: one step of at most five eighths of it, below the tick under it.
    expect(metricAxisDomain("objective/rlhf_reward", [0.84])).toEqual([0, 1.5]);
  });

  it("pads a flat count by whole numbers, and ticks counts only on whole numbers", () => {
    // 0.5 to 1.5 for one epoch would leave its whole-number ticks nothing but the 1 itself.
    expect(metricAxisDomain("ppo/epochs", [1, 1])).toEqual([0, 2]);
    expect(metricAxisDomain("ppo/epochs", [4])).toEqual([3, 5]);
    expect(metricAxisDomain("health/flags", [0])).toEqual([0, 1]);
    expect(metricAxisDomain("train/steps", [240])).toEqual([100, 400]);
    expect(["iteration", "ppo/epochs", "ppo/early_stopped", "health/flags", "train/best_step", "data/val_pairs"].filter(isCountMetric)).toHaveLength(6);
    expect(["loss/val", "objective/kl", "tokens/response_len_mean", "time/update_s", "reward/accuracy"].filter(isCountMetric)).toEqual([]);
  });

  it("does not pad a fraction above 1", () => {
    expect(metricAxisDomain("reward/accuracy_val", [1])).toEqual([0.5, 1]);
    expect(metricAxisDomain("policy/clipfrac", [0.9])).toEqual([0, 1]);
  });

  it("keeps a moving fraction's axis at or below 1, in four round steps", () => {
    // recharts' "auto" drew 0.45 to 1.05 and 0.4 to 1.2 for these, and 0.7, 0.77, ... 0.98 for the third.
    expect(metricAxisDomain("reward/accuracy_val", [0.5, 0.99])).toEqual([0.2, 1]);
    expect(metricAxisDomain("rewards/accuracies", [0.4, 1])).toEqual([0.2, 1]);
    expect(metricAxisDomain("reward/accuracy", [0.71, 0.93])).toEqual([0.6, 1]);
    expect(metricAxisDomain("reward/accuracy", [0.9, 1])).toEqual([0.8, 1]);
    expect(metricAxisDomain("policy/clipfrac", [0.1, 0.97])).toEqual([0, 1]);
    // Far from 1 it stays close to the data.
    expect(metricAxisDomain("policy/clipfrac", [0, 0.02])).toEqual([0, 0.02]);
    expect(metricAxisDomain("tokens/repeat_3gram_rate", [0.3, 0.31])).toEqual([0.3, 0.32]);
  });

  it("pads a flat series of a metric that may be negative both ways", () => {
    expect(metricAxisDomain("loss/policy", [0])).toEqual([-1, 1]);
    expect(metricAxisDomain("reward/margin", [0.2])).toEqual([0.15, 0.25]);
    expect(metricAxisDomain("objective/scores", [-0.4])).toEqual([-0.5, -0.3]);
    expect(metricAxisDomain("reward/margin_val", [0.004140404285863042])).toEqual([0.002, 0.008]);
  });

  it("leaves any other moving series and an empty chart to recharts' even ticks", () => {
    expect(metricAxisDomain("loss/train", [0.69, 0.52, 0.31])).toEqual(["auto", "auto"]);
    expect(metricAxisDomain("loss/train", [])).toEqual(["auto", "auto"]);
    expect(metricAxisDomain("loss/train", [Number.NaN])).toEqual(["auto", "auto"]);
  });

  it("shows a non-negative metric's negative value rather than clipping it (a KL estimate can dip below 0)", () => {
    expect(metricAxisDomain("objective/kl", [-0.02])).toEqual([-0.025, -0.015]);
  });
});

describe("isNonNegativeMetric", () => {
  it("knows the trainer's losses, KLs, rates and timings, and not the ones that go negative", () => {
    for (const name of ["loss/train", "loss/val", "loss/value", "loss/ptx", "loss/dpo", "eval/loss/dpo", "objective/kl", "policy/approxkl", "objective/kl_coef", "objective/entropy", "reward/ece", "reward/accuracy", "rewards/accuracies", "policy/clipfrac", "tokens/repeat_3gram_rate", "tokens/s", "time/update_s", "val/perplexity"]) {
      expect(isNonNegativeMetric(name), name).toBe(true);
    }
    for (const name of ["loss/policy", "objective/scores", "objective/rlhf_reward", "reward/margin", "rewards/margins", "reward/rejected_mean", "val/var_explained", "logps/chosen"]) {
      expect(isNonNegativeMetric(name), name).toBe(false);
    }
  });
});

describe("formatMetricValue", () => {
  it("shows whole numbers whole, large values without an exponent, others to 4 significant digits", () => {
    // The headings read "iteration last 4.000", "health/flags last 0.000" and "tokens/s last 2.312e+4".
    expect(formatMetricValue(4)).toBe("4");
    expect(formatMetricValue(0)).toBe("0");
    expect(formatMetricValue(23120.6487)).toBe("23121");
    expect(formatMetricValue(-12345.6)).toBe("-12346");
    expect(formatMetricValue(874.03)).toBe("874.0");
    expect(formatMetricValue(-0.04131469130516052)).toBe("-0.04131");
    expect(formatMetricValue(0.0006092447826802072)).toBe("0.0006092");
  });
});
