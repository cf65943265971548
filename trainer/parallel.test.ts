import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { createModel, disposeModel, type GPT } from "./model";
import { Adam } from "./optim";
import { DataParallel, shareRows, sliceRows } from "./parallel";
import { createRng } from "./rng";
import { tinyConfig, testBackends } from "./testing";
import { type LmBatch, lmLoss, trainStep } from "./train";

/** A batch with uneven rows: right padding, and loss weights that skip each row's first tokens (an SFT prompt). */
function sftLikeBatch(B: number, T: number, seed: number): LmBatch {
  const rng = createRng(seed);
  const inputs = Int32Array.from({ length: B * T }, () => Math.floor(rng.next() * tinyConfig.vocabSize));
  const targets = Int32Array.from({ length: B * T }, () => Math.floor(rng.next() * tinyConfig.vocabSize));
  const attentionMask = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (t < T - (b % 3) ? 1 : 0)));
  const lossWeights = Float32Array.from({ length: B * T }, (_, i) => (i % T >= 1 + (Math.floor(i / T) % 4) && attentionMask[Math.floor(i / T)][i % T] ? 1 : 0));
  return { B, T, inputs, targets, attentionMask, lossWeights };
}

it("shares rows near-equally, main thread first, and slices copy exactly the rows", () => {
  expect(shareRows(7, 2)).toEqual([[0, 4], [4, 7]]);
  expect(shareRows(1, 2)).toEqual([[0, 1]]);
  const b = sftLikeBatch(4, 5, 1);
  const s = sliceRows(b, 1, 3);
  expect(Array.from(s.inputs)).toEqual(Array.from(b.inputs.subarray(5, 15)));
  expect(s.inputs.buffer.byteLength).toBe(10 * 4);
  expect(s.attentionMask).toEqual(b.attentionMask!.slice(1, 3));
});

describe.each(testBackends)("data-parallel steps on %s", (backend) => {
  let dp: DataParallel;
  let a: GPT;
  let b: GPT;
  beforeAll(async () => {
    await initBackend(backend);
    a = createModel(tinyConfig, { seed: 3 });
    b = createModel(tinyConfig, { seed: 3 });
    dp = await DataParallel.start(b, backend, 2);
  });
  afterAll(async () => {
    await dp.close();
    disposeModel(a);
    disposeModel(b);
  });

  it("makes the update one thread makes on the whole batch, step after step, without leaking tensors", async () => {
    const adamA = new Adam(a.params, { lr: 1e-2, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01 });
    const adamB = new Adam(b.params, { lr: 1e-2, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01 });
    let tensors = 0;
    for (let step = 0; step < 4; step++) {
      const batch = sftLikeBatch(5, 8, 10 + step);
      const one = trainStep(a, adamA, batch, lmLoss, { clipNorm: 0.5 });
      const two = await dp.step(adamB, batch, { clipNorm: 0.5 });
      expect(two.loss).toBeCloseTo(one.loss, 5);
      expect(two.gradNorm).toBeCloseTo(one.gradNorm, 4);
      if (step === 1) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    // Adam divides by sqrt(v): where a gradient is near 0, float rounding moves a weight by up to lr.
    // A tenth of one step's lr over 4 steps still catches a wrong average or a stale replica.
    for (const [name, p] of Object.entries(a.params)) {
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(p, b.params[name]))).dataSync()[0]);
      expect(diff, name).toBeLessThan(1e-3);
    }
    adamA.dispose();
    adamB.dispose();
  });
});
