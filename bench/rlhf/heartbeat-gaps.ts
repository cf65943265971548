/**
 * The longest stretch a worker job goes without a heartbeat, on the shipped demo-sft: a reward
 * and a DPO run whose validation pass holds `pairs` pairs (held-out SFT answers against another
 * prompt's answer), one PPO iteration's rollout at batchSize `ppoBatch`, and the evaluation passes
 * of pretraining (evalWindows 64) and SFT (evalExamples 400) at their defaults. A worker takes over a
 * run after WORKER_HEARTBEAT_TIMEOUT_S (30 s) without one. Before validation passes heartbeated,
 * their whole pass was one stretch; it is printed beside the longest gap between heartbeats.
 *
 *   npx tsx bench/rlhf/heartbeat-gaps.ts [pairs (default 2000)] [ppoBatch (default 256)]
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { initBackend } from "@/trainer/backend";
import { FolderCheckpointStore, loadCheckpoint } from "@/trainer/checkpoint";
import { corpusFiles, readCorpusDocs, readSftJsonl } from "@/trainer/data/corpus";
import { trainDpo } from "@/trainer/dpo";
import { encodeSftExamples, sftExamplesLoss, streamLoss, tokenizeDocs } from "@/trainer/lm-data";
import { disposeModel } from "@/trainer/model";
import { trainPpo } from "@/trainer/ppo/ppo";
import { trainRewardModel } from "@/trainer/reward";
import { installShippedCheckpoints, shippedSftId } from "@/trainer/shipped";

const pairs = Number(process.argv[2] ?? 2000);
const ppoBatch = Number(process.argv[3] ?? 256);
const backend = await initBackend(process.env.TRAINER_BACKEND as never);
const store = new FolderCheckpointStore(mkdtempSync(path.join(tmpdir(), "pairwise-heartbeat-gaps-")));
await installShippedCheckpoints(store);
console.log(`backend ${backend}, demo-sft, ${pairs} validation pairs, PPO batchSize ${ppoBatch}`);

// valFraction 0.9 holds out about `pairs` of the rows; the rest train for a few steps at the default batch sizes.
const examples = readSftJsonl(corpusFiles().sftTrain).slice(0, Math.ceil(pairs / 0.9));
const rows = examples.map((e, i) => ({ prompt: e.prompt, chosen: e.response, rejected: examples[(i + 1) % examples.length].response }));

/** Times of the step reports and the heartbeats in between, and what they say of the last validation pass. */
function recorder() {
  const marks: Array<{ at: number; kind: "step" | "beat" }> = [];
  const mark = (kind: "step" | "beat") => void marks.push({ at: performance.now(), kind });
  return {
    onStep: () => mark("step"),
    heartbeat: async () => mark("beat"),
    report(label: string, valPairs: number) {
      // the pass: from the step report before the last run of heartbeats to the report after it
      const lastBeat = marks.findLastIndex((m) => m.kind === "beat");
      let first = lastBeat;
      while (first > 0 && marks[first - 1].kind === "beat") first--;
      if (first < 1 || lastBeat + 1 >= marks.length) throw new Error("the validation pass was not between two step reports");
      const stretch = marks.slice(first - 1, lastBeat + 2).map((m) => m.at);
      const gaps = stretch.slice(1).map((t, i) => t - stretch[i]);
      const seconds = (stretch.at(-1)! - stretch[0]) / 1000;
      console.log(`${label}: ${valPairs} validation pairs in ${seconds.toFixed(1)} s between two step reports, ${lastBeat - first + 1} heartbeats, longest gap ${(Math.max(...gaps) / 1000).toFixed(2)} s`);
    },
  };
}

const rm = recorder();
const reward = await trainRewardModel({ rows, baseCheckpointId: shippedSftId, store, outputId: "gaps-rm", config: { valFraction: 0.9, epochs: 1, patience: 0 }, onStep: rm.onStep, heartbeat: rm.heartbeat });
rm.report("reward", reward.metrics["data/val_pairs"]);

const dpo = recorder();
await trainDpo({ rows, sftCheckpointId: shippedSftId, store, outputId: "gaps-dpo", config: { valFraction: 0.9, epochs: 1 }, onStep: dpo.onStep, heartbeat: dpo.heartbeat });
dpo.report("dpo", reward.metrics["data/val_pairs"]);

// PPO: the first heartbeat comes after the rollout and the first gradient step.
const t0 = performance.now();
let firstUpdate = 0;
const ppo = await trainPpo({
  store,
  sftCheckpointId: shippedSftId,
  rewardFn: () => 0,
  prompts: examples.map((e) => e.prompt),
  config: { iterations: 1, batchSize: ppoBatch, miniBatchSize: 4, ppoEpochs: 1, saveEvery: 0, sampleEvery: 0, ptxCoef: 0 },
  outputId: "gaps-ppo",
  onUpdate: () => void (firstUpdate ||= performance.now()),
});
console.log(`ppo: rollout of ${ppoBatch} responses ${ppo.history[0]["time/rollout_s"].toFixed(1)} s, first heartbeat after ${((firstUpdate - t0) / 1000).toFixed(1)} s (loading the models included)`);

// Pretraining's and SFT's evaluations at their defaults (pretrain.ts, sft.ts), between two steps.
const { model, tokenizer } = await loadCheckpoint(store, shippedSftId);
const T = model.config.contextLength;
let t = performance.now();
streamLoss(model, tokenizeDocs(tokenizer, readCorpusDocs(corpusFiles().corpusHeldout)), T, 16, 64);
console.log(`pretrain: evaluation of 64 windows ${((performance.now() - t) / 1000).toFixed(1)} s`);
const held = encodeSftExamples(tokenizer, readSftJsonl(corpusFiles().sftHeldout), T).encoded.slice(0, 400);
t = performance.now();
sftExamplesLoss(model, held, tokenizer.padId, 32);
console.log(`sft: evaluation of ${held.length} held-out examples ${((performance.now() - t) / 1000).toFixed(1)} s`);
disposeModel(model);
