/**
 * The longest stretch a worker job goes without a heartbeat, on the shipped demo-sft: a reward
 * and a DPO run whose validation pass holds `--pairs` pairs (held-out SFT answers against another
 * prompt's answer), one PPO iteration's rollout of `--ppo-batch` responses (up to its first gradient
 * step, where the run is stopped), and pretraining's and SFT's evaluations over every held-out
 * window and example there is (974 windows, 377 examples; evalWindows and evalExamples larger than
 * that use them all), and an eval run (demo-sft against itself) at its defaults on the 377 held-out
 * headwords, with a reward model trained for a few steps. A worker takes over a run after WORKER_HEARTBEAT_TIMEOUT_S (30 s) without a
 * heartbeat. For each, the whole stretch is printed beside the longest gap between heartbeats:
 * before a pass heartbeated, the whole stretch was one gap.
 *
 *   npx tsx bench/rlhf/heartbeat-gaps.ts [--pairs N (2000)] [--ppo-batch N (256)] [--parts reward,dpo,ppo,lm,eval (all)]
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { rules } from "@/lib/config/options";
import { cliNumber, parseCliArgs, refuseCli } from "@/scripts/lib/cli-args";
import { initBackend } from "@/trainer/backend";
import { FolderCheckpointStore, loadCheckpoint } from "@/trainer/checkpoint";
import { corpusFiles, heldoutPrompts, readCorpusDocs, readSftJsonl } from "@/trainer/data/corpus";
import { trainDpo } from "@/trainer/dpo";
import { evaluatePolicies } from "@/trainer/eval";
import { encodeSftExamples, sftExamplesLoss, streamLoss, tokenizeDocs } from "@/trainer/lm-data";
import { disposeModel } from "@/trainer/model";
import { splitByPrompt } from "@/trainer/preferences";
import { trainPpo } from "@/trainer/ppo/ppo";
import { trainRewardModel } from "@/trainer/reward";
import { installShippedCheckpoints, shippedSftId } from "@/trainer/shipped";

const USAGE = "Usage: npx tsx bench/rlhf/heartbeat-gaps.ts [--pairs N (default 2000)] [--ppo-batch N (default 256)] [--parts reward,dpo,ppo,lm,eval (default all)]";
const allParts = ["reward", "dpo", "ppo", "lm", "eval"];
const { values } = parseCliArgs({ options: { pairs: { type: "string", default: "2000" }, "ppo-batch": { type: "string", default: "256" }, parts: { type: "string", default: allParts.join(",") } } }, USAGE);
const pairs = cliNumber("pairs", values.pairs, rules.count, USAGE);
const ppoBatch = cliNumber("ppo-batch", values["ppo-batch"], rules.count, USAGE);
const parts = values.parts.split(",");
for (const p of parts) if (!allParts.includes(p)) refuseCli(`--parts: unknown part "${p}" (one of ${allParts.join(", ")})`, USAGE);
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

/** Runs `work` with a heartbeat that records its times; prints the stretch from start to end, the heartbeats and the longest gap. */
async function timed(label: string, work: (heartbeat: () => Promise<void>) => Promise<unknown>) {
  const times = [performance.now()];
  await work(async () => void times.push(performance.now()));
  times.push(performance.now());
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  console.log(`${label} ${((times.at(-1)! - times[0]) / 1000).toFixed(1)} s, ${times.length - 2} heartbeats, longest gap ${(Math.max(...gaps) / 1000).toFixed(2)} s`);
}

if (parts.includes("reward")) {
  const rm = recorder();
  const reward = await trainRewardModel({ rows, baseCheckpointId: shippedSftId, store, outputId: "gaps-rm", config: { valFraction: 0.9, epochs: 1, patience: 0 }, onStep: rm.onStep, heartbeat: rm.heartbeat });
  rm.report("reward", reward.metrics["data/val_pairs"]);
}

if (parts.includes("dpo")) {
  const dpo = recorder();
  await trainDpo({ rows, sftCheckpointId: shippedSftId, store, outputId: "gaps-dpo", config: { valFraction: 0.9, epochs: 1 }, onStep: dpo.onStep, heartbeat: dpo.heartbeat, log: () => {} });
  dpo.report("dpo", splitByPrompt(rows.filter((r) => r.chosen !== r.rejected), 0.9).val.length);
}

if (parts.includes("ppo")) {
  // From the call (loading the three models included) to the first gradient step, where the run is stopped.
  const stop = new Error("first update");
  const prompts = readSftJsonl(corpusFiles().sftTrain).map((e) => e.prompt);
  await timed(`ppo: rollout of ${ppoBatch} responses up to the first gradient step`, (heartbeat) =>
    trainPpo({
      store,
      sftCheckpointId: shippedSftId,
      rewardFn: () => 0,
      prompts,
      config: { iterations: 1, batchSize: ppoBatch, miniBatchSize: 4, ppoEpochs: 1, saveEvery: 0, sampleEvery: 0, ptxCoef: 0 },
      outputId: "gaps-ppo",
      heartbeat,
      onUpdate: () => {
        throw stop;
      },
    }).catch((err) => {
      if (err !== stop) throw err;
    }),
  );
}

if (parts.includes("lm")) {
  // Pretraining's and SFT's evaluations (pretrain.ts, sft.ts) over everything held out, at their batch sizes.
  const { model, tokenizer } = await loadCheckpoint(store, shippedSftId);
  const T = model.config.contextLength;
  const stream = tokenizeDocs(tokenizer, readCorpusDocs(corpusFiles().corpusHeldout));
  const windows = Math.floor((stream.length - 1) / T);
  await timed(`pretrain: evaluation of ${windows} windows (evalWindows ${windows} or more)`, (heartbeat) => streamLoss(model, stream, T, 16, windows, heartbeat));
  const held = encodeSftExamples(tokenizer, readSftJsonl(corpusFiles().sftHeldout), T).encoded;
  await timed(`sft: evaluation of ${held.length} held-out examples (evalExamples ${held.length} or more)`, (heartbeat) => sftExamplesLoss(model, held, tokenizer.padId, 32, heartbeat));
  disposeModel(model);
}

if (parts.includes("eval")) {
  // The eval job's own hooks: progress after every 64 responses sampled, heartbeats in the passes between.
  await trainRewardModel({ rows: rows.slice(0, 64), baseCheckpointId: shippedSftId, store, outputId: "gaps-eval-rm", config: { valFraction: 0, epochs: 1 }, log: () => {} });
  await timed("eval: demo-sft against itself on the 377 held-out headwords at the defaults", (heartbeat) =>
    evaluatePolicies({ store, policyId: shippedSftId, baselineId: shippedSftId, rewardId: "gaps-eval-rm", prompts: heldoutPrompts(), texts: readCorpusDocs(corpusFiles().corpusHeldout), onProgress: heartbeat, heartbeat }),
  );
}
