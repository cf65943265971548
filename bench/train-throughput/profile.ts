/**
 * Where a training step's time goes: one step of the bench's small model (context 64) on the
 * wasm backend under tf.profile, kernel time summed per kernel and input shape, largest first.
 * Custom-gradient wrappers show up as "forward" and include the kernels inside them.
 *
 *   npx tsx bench/train-throughput/profile.ts [batch=16]
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "@/trainer/backend";
import { createModel, defaultModelConfig } from "@/trainer/model";
import { Adam } from "@/trainer/optim";
import { benchSizes } from "@/trainer/throughput";
import { lmBatchFromStream, lmLoss, trainStep } from "@/trainer/train";

await initBackend("wasm");
const B = Number(process.argv[2] ?? 16);
const { vocabSize, contextLength: T, layers, heads, dModel } = benchSizes.small;
const model = createModel({ ...defaultModelConfig, vocabSize, contextLength: T, layers, heads, dModel }, { seed: 0 });
const optimizer = new Adam(model.params);
const stream = Int32Array.from({ length: 20_000 }, (_, i) => (i * 7919) % vocabSize);
const batch = () => lmBatchFromStream(stream, Array.from({ length: B }, (_, b) => b * 300), T);
for (let i = 0; i < 3; i++) trainStep(model, optimizer, batch(), lmLoss);

const info = await tf.profile(() => {
  trainStep(model, optimizer, batch(), lmLoss);
});
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
  const e = byKernel.get(key) ?? { ms: 0, calls: 0 };
  e.ms += Number(k.kernelTimeMs) || 0;
  e.calls++;
  byKernel.set(key, e);
}
console.log("    ms calls kernel [input shapes]");
for (const [k, v] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(v.ms.toFixed(1).padStart(6), String(v.calls).padStart(5), k);
const t0 = performance.now();
for (let i = 0; i < 5; i++) trainStep(model, optimizer, batch(), lmLoss);
console.log(`${info.kernels.length} kernels per step; ${((performance.now() - t0) / 5).toFixed(1)} ms per step unprofiled (batch ${B})`);
