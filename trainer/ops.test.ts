import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { bmm, colSum, embedding, layerNorm, linear, quickGelu, tiedHead, tiedHeadNll } from "./ops";
import { seededTensor, testBackends } from "./testing";

/**
 * Directional finite-difference check: (f(x + e v) - f(x - e v)) / 2e against <grad f(x), v>, per input.
 * Everything is float32, so e = 1e-2 (truncation error ~e^2) and a 2% relative tolerance are honest:
 * float64 tolerances would fail on round-off alone, and a wrong gradient is off by O(1).
 */
function checkGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): void {
  const weights = tf.tidy(() => seededTensor(f(...inputs).shape, 99));
  const scalar = (...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), weights)) as tf.Scalar;
  const grads = tf.grads(scalar)(inputs);
  const eps = 1e-2;
  inputs.forEach((x, i) => {
    const v = seededTensor(x.shape, 1000 + i);
    const shifted = (sign: number) =>
      tf.tidy(() => scalar(...inputs.map((y, j) => (j === i ? tf.add(y, tf.mul(v, sign * eps)) : y))).dataSync()[0]);
    const numeric = (shifted(1) - shifted(-1)) / (2 * eps);
    const analytic = tf.sum(tf.mul(grads[i], v)).dataSync()[0];
    expect(Math.abs(numeric - analytic)).toBeLessThanOrEqual(0.02 * Math.max(1, Math.abs(numeric)));
  });
  tf.dispose([weights, ...grads]);
}

describe.each(testBackends)("custom gradients on %s", (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it("sums columns as a GEMM", () => {
    const x = seededTensor([37, 5], 4);
    expect(Array.from(colSum(x).dataSync())).toEqual(Array.from(tf.sum(x, 0).dataSync()).map((v) => expect.closeTo(v, 4)));
    x.dispose();
  });

  it("linear", () => checkGrads((x, w, b) => linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D), [seededTensor([5, 4], 1), seededTensor([4, 3], 2), seededTensor([3], 3)]));

  it("tied LM head", () => checkGrads((h, e) => tiedHead(h as tf.Tensor2D, e as tf.Tensor2D), [seededTensor([5, 4], 4), seededTensor([7, 4], 5)]));

  it("batched matmul", () => checkGrads((a, b) => bmm(a as tf.Tensor3D, b as tf.Tensor3D), [seededTensor([3, 4, 5], 6), seededTensor([3, 5, 2], 7)]));

  it("batched matmul equals tf.matMul", () => {
    const [a, b] = [seededTensor([6, 3, 8], 8), seededTensor([6, 8, 5], 9)] as tf.Tensor3D[];
    const diff = tf.max(tf.abs(tf.sub(bmm(a, b), tf.matMul(a, b)))).dataSync()[0];
    expect(diff).toBeLessThan(1e-5);
  });

  it("quick_gelu", () => checkGrads((x) => quickGelu(x as tf.Tensor2D), [seededTensor([4, 6], 10, 2)]));

  it("layerNorm", () =>
    checkGrads((x, g, b) => layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5), [seededTensor([4, 6], 11), seededTensor([6], 12), seededTensor([6], 13)]));

  it("embedding with repeated ids", () => {
    const ids = tf.tensor1d([1, 3, 1, 0, 3, 3], "int32");
    checkGrads((t) => embedding(t as tf.Tensor2D, ids), [seededTensor([5, 4], 14)]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(embedding(t as tf.Tensor2D, ids)))(seededTensor([5, 4], 14));
    expect(Array.from(g.dataSync()).filter((_, i) => i % 4 === 0)).toEqual([1, 2, 0, 3, 0]); // counts per row
  });

  it("fused tied head + cross-entropy: the composition's value and gradients, repeated targets included", () => {
    const targets = tf.tensor1d([6, 0, 6, 3, 6], "int32");
    const [h, e] = [seededTensor([5, 4], 16, 2), seededTensor([7, 4], 17, 2)] as tf.Tensor2D[];
    checkGrads((hh, ee) => tiedHeadNll(hh as tf.Tensor2D, ee as tf.Tensor2D, targets), [h, e]);
    // the reference: logits, then tfjs's own logSoftmax and its gradient
    const composed = (hh: tf.Tensor, ee: tf.Tensor) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(tiedHead(hh as tf.Tensor2D, ee as tf.Tensor2D)), tf.oneHot(targets, 7)), 1)) as tf.Tensor1D;
    const fused = (hh: tf.Tensor, ee: tf.Tensor) => tiedHeadNll(hh as tf.Tensor2D, ee as tf.Tensor2D, targets);
    const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
    expect(maxDiff(fused(h, e), composed(h, e))).toBeLessThan(1e-5);
    const weights = seededTensor([5], 18);
    const gradsOf = (f: typeof fused) => tf.grads((hh: tf.Tensor, ee: tf.Tensor) => tf.sum(tf.mul(f(hh, ee), weights)))([h, e]);
    const [gf, gc] = [gradsOf(fused), gradsOf(composed)];
    expect(maxDiff(gf[0], gc[0])).toBeLessThan(1e-5);
    expect(maxDiff(gf[1], gc[1])).toBeLessThan(1e-5);
    // large logits: a target 100 below the row's maximum still gets its exact loss (no exp underflow)
    const far = tiedHeadNll(tf.tensor2d([[10, 0]]), tf.tensor2d([[10, 0], [0, 0]]), tf.tensor1d([1], "int32"));
    expect(far.dataSync()[0]).toBeCloseTo(100, 4);
    tf.dispose([h, e, weights, far, ...gf, ...gc]);
  });
});
