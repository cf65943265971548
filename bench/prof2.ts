/**
 * Where a training step's time goes: one step of the bench's small model (context 64) on the
 * wasm backend under tf.profile, kernel time summed per kernel and input shape, largest first;
 * for 2D matMuls also the rate, 2 M K N / time.
 * Custom-gradient wrappers show up as "forward" and include the kernels inside them. Then the
 * parts of a two-thread data-parallel step (trainer/parallel.ts): a half-batch gradient alone and
 * while the replica computes the other half, and the serial work on the main thread.
 *
 *   npx tsx bench/train-throughput/profile.ts [batch=16]
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "@/trainer/backend";
import { createModel, defaultModelConfig } from "@/trainer/model";
import { Adam } from "@/trainer/optim";
import { DataParallel, flatWeights, shardGradients, sliceRows, unflatten } from "@/trainer/parallel";
import { benchSizes } from "@/trainer/throughput";
import { applyGradients, lmBatchFromStream, lmLoss, trainStep } from "@/trainer/train";

await initBackend("wasm");
const B = 16;
const { vocabSize, contextLength: T, layers, heads, dModel } = benchSizes.small;
const model = createModel({ ...defaultModelConfig, vocabSize, contextLength: T, layers, heads, dModel }, { seed: 0 });
const optimizer = new Adam(model.params);
const stream = Int32Array.from({ length: 20_000 }, (_, i) => (i * 7919) % vocabSize);
const batch = () => lmBatchFromStream(stream, Array.from({ length: B }, (_, b) => b * 300), T);
for (let i = 0; i < 3; i++) trainStep(model, optimizer, batch(), lmLoss);
const info = await tf.profile(() => { trainStep(model, optimizer, batch(), lmLoss); });
const byName = new Map<string, { ms: number; calls: number }>();
let total = 0;
for (const k of info.kernels) {
  if (k.name === "forward") continue;
  const name = k.name === "Transpose" || k.name === "DepthwiseConv2dNative" || k.name === "Identity" ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
  const e = byName.get(name) ?? { ms: 0, calls: 0 };
  e.ms += Number(k.kernelTimeMs) || 0; total += Number(k.kernelTimeMs) || 0;
  e.calls++;
  byName.set(name, e);
}
console.log("total (excluding custom-op wrappers)", total.toFixed(1));
for (const [k, v] of [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40)) console.log(v.ms.toFixed(1).padStart(6), String(v.calls).padStart(5), k);
