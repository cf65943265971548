/**
 * `npm run bench:frontier`: how far any policy could beat best-of-n at equal KL, on the demo's
 * reward model and held-out headwords.
 *
 * Samples `--samples` answers (default 64) per held-out headword from demo-sft, scores them with
 * the reward model `demo-rm` from a `bench:ppo-demo` store, and treats each prompt's pool as
 * demo-sft. On that pool it prints, side by side at equal KL:
 * - best-of-n drawn from the pool (n = 2, 4, 8, 16), and
 * - the KL-regularised optimum pi ~ pi_SFT exp(r / beta), the best mean score any policy can
 *   reach at that KL,
 * and then the optimum's frontier at the KLs of the PPO runs in docs/rlhf.md.
 * Gains are over the pool's mean (demo-sft's expected score).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { rules } from "@/lib/config/options";
import { cliNumber, parseCliArgs, refuseCli } from "@/scripts/lib/cli-args";
import { initBackend } from "@/trainer/backend";
import { FolderCheckpointStore } from "@/trainer/checkpoint";
import { bestOfNOnPool, sampleResponses, tiltAtKl } from "@/trainer/eval";
import { disposeModel } from "@/trainer/model";
import { loadModel } from "@/trainer/rlhf-common";
import { mean } from "@/trainer/rl-math";
import { scoreTexts } from "@/trainer/score";
import { chunks } from "@/trainer/sequences";
import { installShippedCheckpoints, shippedSftId } from "@/trainer/shipped";
import { demoEvalPrompts } from "./eval-prompts";

const USAGE = "Usage: npm run bench:frontier -- --store DIR [--samples N (default 64)] [--eval-prompts N (default 377)] [--seed N (default 5)]";
const { values } = parseCliArgs(
  {
    options: {
      store: { type: "string" },
      samples: { type: "string", default: "64" },
      "eval-prompts": { type: "string", default: "377" },
      seed: { type: "string", default: "5" },
    },
  },
  USAGE,
);
const RM_ID = "demo-rm";
if (!values.store || !existsSync(path.join(values.store, RM_ID))) {
  refuseCli(`--store must name a folder holding ${RM_ID}: run npm run bench:ppo-demo -- --store DIR first.`, USAGE);
}
const m = cliNumber("samples", values.samples, rules.count, USAGE);
const evalPrompts = cliNumber("eval-prompts", values["eval-prompts"], rules.count, USAGE);
const seed = cliNumber("seed", values.seed, rules.natural, USAGE);

const backend = await initBackend();
const store = new FolderCheckpointStore(values.store);
await installShippedCheckpoints(store);
const prompts = demoEvalPrompts(evalPrompts); // the same held-out headwords as bench:ppo-demo's eval

const t = performance.now();
const sft = await loadModel(store, shippedSftId);
const rm = await loadModel(store, RM_ID);
const pools: number[][] = [];
for (const [c, part] of chunks(prompts, Math.max(1, Math.floor(256 / m))).entries()) {
  const repeated = part.flatMap((p) => Array.from({ length: m }, () => p));
  const { responses } = await sampleResponses(sft.model, sft.tokenizer, repeated, 24, seed * 7919 + c);
  const scores = scoreTexts({ model: rm.model, tokenizer: rm.tokenizer }, repeated.map((prompt, i) => ({ prompt, response: responses[i] })));
  for (let i = 0; i < part.length; i++) pools.push(scores.slice(i * m, (i + 1) * m));
}
disposeModel(sft.model);
disposeModel(rm.model);
console.log(`backend ${backend}; ${m} samples of ${shippedSftId} for each of ${prompts.length} held-out headwords, scored by ${RM_ID}, in ${((performance.now() - t) / 1000).toFixed(0)} s`);

const base = mean(pools.map(mean));
const spread = Math.sqrt(mean(pools.map((rs) => mean(rs.map((r) => (r - mean(rs)) ** 2)))));
console.log(`SFT's mean score ${base.toFixed(3)}; spread of scores within a prompt (rms sd) ${spread.toFixed(3)}\n`);

const fmt = (x: number, d = 3) => x.toFixed(d).padStart(7);
console.log("    n  best-of-n gain  KL on pool  log n - (n-1)/n  optimum's gain at that KL  best-of-n / optimum");
for (const n of [2, 4, 8, 16].filter((k) => k < m)) {
  const bon = bestOfNOnPool(pools, n);
  const opt = tiltAtKl(pools, bon.kl);
  console.log(`${String(n).padStart(5)}  ${fmt(bon.meanScore - base).padStart(14)}  ${fmt(bon.kl).padStart(10)}  ${fmt(Math.log(n) - (n - 1) / n).padStart(15)}  ${fmt(opt.meanScore - base).padStart(25)}  ${fmt((bon.meanScore - base) / (opt.meanScore - base), 2).padStart(19)}`);
}

// The estimate from fewer samples per prompt (the first k of each pool) shows how far m is from enough.
const sizes = [16, 32].filter((k) => k < m).concat(m);
const gainAt = (k: number, kl: number) => (kl < Math.log(k) ? (tiltAtKl(pools.map((rs) => rs.slice(0, k)), kl).meanScore - base).toFixed(3) : "-").padStart(7);
console.log(`\n   KL  optimum's gain  gain / sqrt(KL)  beta  optimum's gain from ${sizes.map((k) => `${k}`).join(", ")} samples per prompt`);
for (const kl of [0.05, 0.1, 0.14, 0.3, 0.636, 0.95, 1.835].filter((k) => k < Math.log(m) / 2)) {
  const opt = tiltAtKl(pools, kl);
  console.log(`${fmt(kl)}  ${fmt(opt.meanScore - base).padStart(14)}  ${fmt((opt.meanScore - base) / Math.sqrt(kl), 2).padStart(15)}  ${fmt(opt.beta)}  ${sizes.map((k) => gainAt(k, kl)).join(" ")}`);
}
