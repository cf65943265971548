import { expect, it } from "vitest";
import { formatMetric, headlineMetrics } from "./headline-metrics";

it("formats integers as integers and the rest to 3 significant digits", () => {
  expect([3, 3000, 0.74219, 35.861, -0.0412, 1.5e-5, 2.5e6, 2_500_000.5, Number.NaN].map(formatMetric)).toEqual(["3", "3,000", "0.742", "35.9", "-0.0412", "1.50e-5", "2,500,000", "2.50e+6", "NaN"]);
});

it("shows a checkpoint's quality figures for its kind first and never step counts or speed", () => {
  // What a PPO policy's record holds after its last iteration, in the order the trainer wrote it.
  const ppo = { iteration: 3, "ppo/epochs": 4, "tokens/s": 0, "objective/kl": 0.512, "loss/policy": -0.01, "objective/scores": 0.569 };
  expect(headlineMetrics("policy", ppo)).toEqual([
    ["objective/scores", "0.569"],
    ["objective/kl", "0.512"],
    ["loss/policy", "-0.01"],
  ]);
  const sft = { step: 3000, "loss/train": 2.1, "tokens/s": 1587.2, "loss/val": 2.3, "val/perplexity": 26.64, "text/val_perplexity": 51.15 };
  expect(headlineMetrics("sft", sft)).toEqual([
    ["val/perplexity", "26.6"],
    ["text/val_perplexity", "51.1"],
    ["loss/val", "2.3"],
  ]);
  expect(headlineMetrics("reward", { step: 123, "reward/accuracy": 0.8, "reward/accuracy_val": 0.72 })).toEqual([
    ["reward/accuracy_val", "0.72"],
    ["reward/accuracy", "0.8"],
  ]);
  expect(headlineMetrics("base", {})).toEqual([]);
});
