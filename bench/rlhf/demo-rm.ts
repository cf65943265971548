/**
 * The demo reward model `demo-rm` that bench:ppo-demo judges with, and that dpo-small's `--eval`
 * judges DPO policies with: from demo-sft on 2,100 judgments by default (the first `promptCount`
 * `Define:` prompts of the SFT training set, WordNet's gloss against demo-sft's own sampled
 * answer, 3 simulated labelers picking the gloss 90% of the time). A store that already holds
 * `demo-rm` keeps it, so benches that share a store judge with one reward model.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { CheckpointStore } from "@/trainer/checkpoint";
import { corpusFiles, readSftJsonl } from "@/trainer/data/corpus";
import type { PreferenceRow } from "@/trainer/preferences";
import { trainRewardModel } from "@/trainer/reward";
import { createRng } from "@/trainer/rng";
import { shippedSftId } from "@/trainer/shipped";
import { sampleDemoAnswers } from "../reward-demo/demo-answers";

export const DEMO_RM_ID = "demo-rm";
const LABELERS = 3;

/** Trains `demo-rm` into the folder store at `root` unless it is there already; says which on `log`. */
export async function ensureDemoRewardModel(store: CheckpointStore, root: string, promptCount: number, log: (line: string) => void): Promise<void> {
  if (existsSync(path.join(root, DEMO_RM_ID))) {
    log(`1-2. reusing the reward model ${DEMO_RM_ID} in ${root}`);
    return;
  }
  // 1. Demo judgments.
  let t = performance.now();
  const judged = readSftJsonl(corpusFiles().sftTrain).slice(0, promptCount);
  const answers = await sampleDemoAnswers(store, judged.map((e) => e.prompt));
  const rng = createRng(7);
  const rows: PreferenceRow[] = [];
  judged.forEach((e, i) => {
    for (let l = 0; l < LABELERS; l++) {
      const [chosen, rejected] = rng.next() < 0.9 ? [e.response, answers[i]!] : [answers[i]!, e.response];
      rows.push({ prompt: e.prompt, chosen, rejected });
    }
  });
  log(`1. ${rows.length} judgments of ${judged.length} pairs (gloss vs demo-sft's answer, ${LABELERS} labelers picking the gloss 90% of the time) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // 2. The reward model.
  t = performance.now();
  const rm = await trainRewardModel({ rows, baseCheckpointId: shippedSftId, store, outputId: DEMO_RM_ID, config: { epochs: 1, batchSize: 16, lr: 3e-4 } });
  log(`2. reward model ${rm.record.id}: val accuracy ${rm.metrics["reward/accuracy_val"]?.toFixed(3)} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
