/**
 * One optimisation step with a caller-supplied loss, and the language-model loss.
 * Pretraining, SFT, reward, PPO and DPO all pass their own LossFn to trainStep.
 */
import * as tf from "@tensorflow/tfjs";
import { forward, type GPT, lmNll } from "./model";
import { type Adam, clipByGlobalNorm } from "./optim";

export interface LossOutput {
  loss: tf.Scalar;
  /** Extra scalars to report, named like TRL's metrics (e.g. "reward/accuracy"). */
  metrics?: Record<string, tf.Scalar>;
}
export type LossFn<Batch> = (model: GPT, batch: Batch) => LossOutput;

export interface StepOptions {
  /** Clip the global gradient norm to this; 0 disables. */
  clipNorm?: number;
  /** Learning rate for this step (a schedule); defaults to the optimizer's. */
  lr?: number;
  /** Parameter names to update; others stay frozen. Defaults to all. */
  trainable?: string[];
}

export interface StepResult {
  loss: number;
  gradNorm: number;
  metrics: Record<string, number>;
}

/** forward -> loss -> backward -> clip -> Adam, all inside one tidy. */
export function trainStep<Batch>(model: GPT, optimizer: Adam, batch: Batch, lossFn: LossFn<Batch>, opts: StepOptions = {}): StepResult {
  let metrics: Record<string, tf.Scalar> = {};
  const [loss, norm] = tf.tidy(() => {
    const g = lossGradients(model, batch, lossFn, opts.trainable ?? Object.keys(model.params));
    metrics = g.metrics;
    return [g.value, applyGradients(optimizer, g.grads, opts)];
  });
  try {
    return readStep(loss, norm, metrics);
  } finally {
    tf.dispose([loss, norm, ...Object.values(metrics)]);
  }
}

/**
 * The loss, its gradients keyed by parameter name, and the loss's metric tensors (kept, so they
 * outlive an enclosing tidy). The caller disposes all three.
 */
export function lossGradients<Batch>(model: GPT, batch: Batch, lossFn: LossFn<Batch>, names: string[]): { value: tf.Scalar; grads: Record<string, tf.Tensor>; metrics: Record<string, tf.Scalar> } {
  let metrics: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = lossFn(model, batch);
    metrics = out.metrics ?? {};
    for (const t of Object.values(metrics)) tf.keep(t);
    return out.loss;
  }, names.map((n) => model.params[n]));
  return { value, grads: byParamName(model, names, grads), metrics };
}

/** A step's scalars read back as numbers. */
export function readStep(loss: tf.Scalar, norm: tf.Scalar, metrics: Record<string, tf.Scalar>): StepResult {
  return { loss: loss.dataSync()[0], gradNorm: norm.dataSync()[0], metrics: Object.fromEntries(Object.entries(metrics).map(([k, t]) => [k, t.dataSync()[0]])) };
}

/** variableGrads keys gradients by tf's variable names; the model and optimizer use parameter names. */
function byParamName(model: GPT, names: string[], raw: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const byVarName = new Map(names.map((n) => [model.params[n].name, n]));
  const grads: Record<string, tf.Tensor> = {};
  for (const [varName, g] of Object.entries(raw)) grads[byVarName.get(varName)!] = g;
  return grads;
}

/** clip -> Adam; returns the global gradient norm before clipping. Call inside a tidy. */
export function applyGradients(optimizer: Adam, grads: Record<string, tf.Tensor>, opts: Pick<StepOptions, "clipNorm" | "lr">): tf.Scalar {
  const clipped = clipByGlobalNorm(grads, opts.clipNorm ?? 1);
  optimizer.apply(clipped.grads, opts.lr);
  return clipped.norm;
}

/** Token ids for next-token prediction, as plain arrays so they cross worker threads. */
export interface LmBatch {
  B: number;
  T: number;
  inputs: Int32Array; //       [B*T]
  targets: Int32Array; //      [B*T]
  attentionMask?: number[][]; // [B][T]
  /** Weight of each target in the loss (0 on prompt or padding tokens); absent: all 1. */
  lossWeights?: Float32Array; // [B*T]
  /** Seed of this batch's dropout masks (a model with dropout > 0): each step's must differ, or training fits one fixed sub-network. */
  dropoutSeed?: number;
}

/** Mean cross-entropy over weighted targets: pretraining (all weights 1) and SFT (0 on prompt and padding). */
export function lmLoss(model: GPT, batch: LmBatch): LossOutput {
  const ids = tf.tensor2d(batch.inputs, [batch.B, batch.T], "int32");
  const { hidden } = forward(model, { ids, attentionMask: batch.attentionMask, training: true, seed: batch.dropoutSeed });
  const nll = lmNll(model, hidden, tf.tensor1d(batch.targets, "int32")); // [N]
  if (!batch.lossWeights) return { loss: tf.mean(nll) as tf.Scalar };
  return { loss: weightedTokenLoss(nll, tf.tensor1d(batch.lossWeights)) };
}

/** Weighted mean of per-position losses. nll [N], weights [N]. */
export function weightedTokenLoss(nll: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  return tf.div(tf.sum(tf.mul(nll, weights)), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
}

/** Slices a token stream into a next-token batch of B rows of T tokens starting at the given offsets. */
export function lmBatchFromStream(tokens: ArrayLike<number>, offsets: number[], T: number): LmBatch {
  const B = offsets.length;
  const inputs = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  offsets.forEach((o, b) => {
    if (o + T + 1 > tokens.length) throw new Error(`offset ${o} + ${T + 1} runs past the ${tokens.length}-token stream`);
    for (let t = 0; t < T; t++) {
      inputs[b * T + t] = tokens[o + t];
      targets[b * T + t] = tokens[o + t + 1];
    }
  });
  return { B, T, inputs, targets };
}

/** B rows of T tokens starting at offsets drawn from rng: random windows of a token stream. */
export function randomWindows(tokens: ArrayLike<number>, B: number, T: number, rng: { next(): number }): LmBatch {
  return lmBatchFromStream(tokens, Array.from({ length: B }, () => Math.floor(rng.next() * (tokens.length - T - 1))), T);
}
