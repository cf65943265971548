/**
 * Time of one PPO iteration at the trainer bench's "small" size (vocab 4096, d 96, 4 layers,
 * 4 heads, context 64): batchSize 16 rollouts of 24 tokens, 4 epochs of minibatch 4, a reward
 * model of the same size, PPO-ptx on. Untrained weights: this measures cost, not learning.
 * `threads` is PPO's option: 1 keeps PPO-ptx's gradient on the main thread, 2 moves it to a second.
 *
 *   CHECKPOINT_DIR=/tmp/ppo-speed npx tsx bench/rlhf/ppo-speed.ts [iterations] [threads]
 */
import { initBackend } from "@/trainer/backend";
import { readCorpusDocs, corpusFiles } from "@/trainer/data/corpus";
import { FolderCheckpointStore, saveCheckpoint } from "@/trainer/checkpoint";
import { createModel, disposeModel } from "@/trainer/model";
import { trainPpo } from "@/trainer/ppo/ppo";
import { trainByteBpe } from "@/trainer/tokenizer";

const iterations = Number(process.argv[2] ?? 3);
const threads = Number(process.argv[3] ?? 0);
const backend = await initBackend(process.env.TRAINER_BACKEND as never);
const docs = readCorpusDocs(corpusFiles().corpusTrain).slice(0, 400);
const tokenizer = trainByteBpe(docs, { vocabSize: 4096 });
const store = new FolderCheckpointStore();
const config = { vocabSize: tokenizer.vocabSize, contextLength: 64, layers: 4, heads: 4, dModel: 96, dropout: 0, activation: "quick_gelu" as const, layerNormEpsilon: 1e-5 };
for (const [id, kind, heads] of [["speed-sft", "sft", []], ["speed-rm", "reward", ["reward"]]] as const) {
  const model = createModel(config, { seed: 1, heads: [...heads] });
  await saveCheckpoint(store, { id, model, tokenizer, kind, parentId: null, backend, trainingConfig: {}, metrics: {} });
  disposeModel(model);
}
const prompts = docs.slice(0, 64).map((d) => d.split(/\s+/).slice(0, 8).join(" "));
const t0 = performance.now();
const res = await trainPpo({
  store,
  sftCheckpointId: "speed-sft",
  rewardCheckpointId: "speed-rm",
  prompts,
  ptxTexts: docs.slice(100),
  config: { iterations, batchSize: 16, miniBatchSize: 4, ppoEpochs: 4, maxNewTokens: 24, ptxCoef: 0.5, earlyStopping: false, saveEvery: 0, sampleEvery: 0, threads },
  outputId: "speed-ppo",
  onIteration: (i, m) => console.log(`iteration ${i}: rollout ${m["time/rollout_s"].toFixed(2)} s, update ${m["time/update_s"].toFixed(2)} s, response length ${m["tokens/response_len_mean"].toFixed(1)}`),
});
const mean = (k: string) => res.history.slice(1).reduce((s, m) => s + m[k], 0) / Math.max(1, res.history.length - 1);
console.log(`threads ${threads}: mean of iterations 2-${iterations}: rollout ${mean("time/rollout_s").toFixed(2)} s, update ${mean("time/update_s").toFixed(2)} s`);
console.log(`backend ${backend}, vocab ${tokenizer.vocabSize}, ${iterations} iterations in ${((performance.now() - t0) / 1000).toFixed(1)} s; last: ${JSON.stringify({ rollout: res.metrics["time/rollout_s"], update: res.metrics["time/update_s"] })}`);
