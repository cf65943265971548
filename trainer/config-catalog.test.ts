import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { checkRunConfig } from "@/lib/runs/config-catalog";
import { buildConfigCatalog, catalogFile } from "./config-catalog";

it("the run form's config catalog is the trainer's option tables (refresh: npx tsx trainer/config-catalog.ts)", () => {
  expect(JSON.parse(readFileSync(catalogFile, "utf8"))).toEqual({ kinds: JSON.parse(JSON.stringify(buildConfigCatalog())) });
});

it("checks a run's config with the CLI's rules: unknown keys, wrong types and values out of range refused, job keys and other kinds passed through", () => {
  expect(() => checkRunConfig("reward", { epochs: 2, lr: "3e-4", snapshotId: "x", base: "demo-sft" })).not.toThrow();
  expect(() => checkRunConfig("reward", { epoch: 2 })).toThrow(/unknown option "epoch".*epochs.*snapshotId, base/s);
  expect(() => checkRunConfig("ppo", { iterations: "many" })).toThrow(/iterations must be a number, got "many"/);
  expect(() => checkRunConfig("ppo", { adaptiveKl: "yes" })).toThrow(/adaptiveKl must be true or false/);
  expect(() => checkRunConfig("sft", { resume: true })).toThrow(/unknown option "resume"/);
  expect(() => checkRunConfig("healthcheck", { anything: 1 })).not.toThrow();
  // generate-pairs is a job only, with no CLI command: its table lives beside the job.
  expect(() => checkRunConfig("generate-pairs", { campaignId: "c", reward: "rm", select: "uncertain", maxPairs: 300, k: 4 })).not.toThrow();
  expect(() => checkRunConfig("generate-pairs", { maxPair: 300 })).toThrow(/unknown option "maxPair".*maxPairs.*campaignId, checkpoint, baseline, reward/s);
  expect(() => checkRunConfig("generate-pairs", { select: "best" })).toThrow('config: select must be one of all, uncertain, got "best"');
  expect(() => checkRunConfig("generate-pairs", { k: 9 })).toThrow("config: k must be a whole number of at least 1 and at most 8, got 9");
  // Values the option's rule refuses: a run that "succeeded" at 0 steps used to register an untrained checkpoint.
  expect(() => checkRunConfig("reward", { epochs: -5 })).toThrow("config: epochs must be a whole number of at least 1, got -5");
  expect(() => checkRunConfig("reward", { lr: -1 })).toThrow("config: lr must be a number above 0, got -1");
  expect(() => checkRunConfig("ppo", { gamma: 1.5 })).toThrow("config: gamma must be a number of at least 0 and at most 1, got 1.5");
  expect(() => checkRunConfig("ppo", { klEstimator: "k2" })).toThrow('config: klEstimator must be one of k1, k3, abs, mse, got "k2"');
});
