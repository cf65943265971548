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
/** GFLOP/s of a BatchMatMul of 2D shapes [[M, K], [K, N]] (calls x 2 M K N over the summed time), else "". */
const rate = (key: string, v: { ms: number; calls: number }) => {
  const m = /^BatchMatMul \[\[(\d+),(\d+)\],\[(\d+),(\d+)\]\]$/.exec(key);
  return m && v.ms > 0 ? `${((v.calls * 2 * Number(m[1]) * Number(m[2]) * Number(m[4])) / (v.ms * 1e6)).toFixed(1)} GFLOP/s` : "";
};
console.log("    ms calls kernel [input shapes]");
for (const [k, v] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(v.ms.toFixed(1).padStart(6), String(v.calls).padStart(5), k, rate(k, v));
const t0 = performance.now();
for (let i = 0; i < 5; i++) trainStep(model, optimizer, batch(), lmLoss);
console.log(`${info.kernels.length} kernels per step; ${((performance.now() - t0) / 5).toFixed(1)} ms per step unprofiled (batch ${B})`);

// The data-parallel step's parts.
const ms = (f: () => unknown, n = 5) => {
  f();
  const t = performance.now();
  for (let i = 0; i < n; i++) f();
  return (performance.now() - t) / n;
};
const full = batch();
const first = sliceRows(full, 0, B / 2);
const grads = shardGradients(model, first).grads;
const other = grads.slice();
const flat = new Float32Array(grads.length); // DataParallel reuses its arrays the same way
const average = () => {
  for (let i = 0; i < grads.length; i++) grads[i] *= 0.5;
  for (let i = 0; i < grads.length; i++) grads[i] += other[i]! * 0.5;
};
const apply = () => tf.tidy(() => void applyGradients(optimizer, unflatten(model, grads), {}).dataSync());
const parts = { half: ms(() => shardGradients(model, first, flat)), gather: ms(() => flatWeights(model, flat)), average: ms(average), apply: ms(apply) };
console.log(`data-parallel parts: half-batch gradient alone ${parts.half.toFixed(1)} ms; gather weights ${parts.gather.toFixed(1)} ms; average two gradients ${parts.average.toFixed(1)} ms; gradient tensors + clip + Adam ${parts.apply.toFixed(1)} ms`);
const parallel = await DataParallel.start(model, "wasm", 2);
for (let i = 0; i < 3; i++) await parallel.step(optimizer, full);
const t1 = performance.now();
for (let i = 0; i < 10; i++) await parallel.step(optimizer, full);
const stepMs = (performance.now() - t1) / 10;
// What is left once the serial parts are taken out: both halves computed at the same time.
const concurrent = stepMs - parts.gather - parts.average - parts.apply;
console.log(`data-parallel step ${stepMs.toFixed(1)} ms: both halves at once ~${concurrent.toFixed(1)} ms (one half alone ${parts.half.toFixed(1)} ms), serial ${(stepMs - concurrent).toFixed(1)} ms`);
await parallel.close();
