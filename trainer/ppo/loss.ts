/**
 * PPO's minibatch loss (TRL's PPOTrainer.loss): clipped surrogate, clipped value loss, optional
 * entropy bonus, optional PPO-ptx next-token loss; with its statistics as scalars.
 * Every [N] vector below is over the packed minibatch's positions (N = B*T); mask is 1 at the
 * positions that predict a response token.
 */
import * as tf from "@tensorflow/tfjs";
import { type GPT, lmLogits, lmNll, tokenValues } from "../model";
import { forwardPacked, type PackedBatch } from "../sequences";
import { type LmBatch, lmLoss } from "../train";
import type { PpoConfig } from "./config";

export interface PpoMinibatch {
  packed: PackedBatch;
  oldLogprobs: Float32Array; // [N]
  advantages: Float32Array; //  [N] whitened
  /** The value targets and the rollout's values; absent when advantages need no value function (RLOO): no value loss. */
  value?: { returns: Float32Array; oldValues: Float32Array }; // [N] each
  ptx?: LmBatch;
}

export function ppoLoss(model: GPT, mb: PpoMinibatch, config: Pick<PpoConfig, "clipRange" | "clipRangeValue" | "vfCoef" | "entropyCoef" | "ptxCoef">): { loss: tf.Scalar; metrics: Record<string, tf.Scalar> } {
  const { packed } = mb;
  const hidden = forwardPacked(model, packed, true); // [N, C]
  const logprobs = tf.neg(lmNll(model, hidden, tf.tensor1d(packed.targets, "int32"))); // [N]
  const mask = tf.tensor1d(packed.responseMask);
  const n = tf.maximum(tf.sum(mask), 1);
  const mmean = (x: tf.Tensor) => tf.div(tf.sum(tf.mul(x, mask)), n) as tf.Scalar;
  const old = tf.tensor1d(mb.oldLogprobs);
  const adv = tf.tensor1d(mb.advantages);

  // value: clipped around the rollout's values, the larger of the two squared errors
  let vfLoss = tf.scalar(0);
  let vfClipFrac = tf.scalar(0);
  if (mb.value) {
    const vpred = tokenValues(model, hidden); // [N]
    const oldV = tf.tensor1d(mb.value.oldValues);
    const ret = tf.tensor1d(mb.value.returns);
    const vClipped = tf.add(oldV, tf.clipByValue(tf.sub(vpred, oldV), -config.clipRangeValue, config.clipRangeValue));
    const vf1 = tf.square(tf.sub(vpred, ret));
    const vf2 = tf.square(tf.sub(vClipped, ret));
    vfLoss = tf.mul(0.5, mmean(tf.maximum(vf1, vf2))) as tf.Scalar;
    vfClipFrac = mmean(tf.cast(tf.greater(vf2, vf1), "float32"));
  }
  // policy: clipped surrogate
  const logRatio = tf.sub(logprobs, old);
  const ratio = tf.exp(logRatio);
  const pg1 = tf.mul(tf.neg(adv), ratio);
  const pg2 = tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - config.clipRange, 1 + config.clipRange));
  const pgLoss = mmean(tf.maximum(pg1, pg2));
  let loss = tf.add(pgLoss, tf.mul(config.vfCoef, vfLoss)) as tf.Scalar;

  const metrics: Record<string, tf.Scalar> = {
    "loss/policy": pgLoss,
    "loss/value": vfLoss,
    "policy/approxkl": tf.mul(0.5, mmean(tf.square(logRatio))) as tf.Scalar,
    // TRL's policykl: the mean of old - new log-probs, the statistic its early stopping reads.
    "policy/policykl": tf.neg(mmean(logRatio)) as tf.Scalar,
    "policy/clipfrac": mmean(tf.cast(tf.greater(pg2, pg1), "float32")),
    "val/clipfrac": vfClipFrac,
  };
  if (config.entropyCoef > 0) {
    // H = logsumexp(l) - sum softmax(l) l, per position
    const logits = lmLogits(model, hidden); // [N, V]
    const entropy = tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(tf.softmax(logits), logits), 1));
    const meanEntropy = mmean(entropy);
    loss = tf.sub(loss, tf.mul(config.entropyCoef, meanEntropy)) as tf.Scalar;
    metrics["policy/entropy"] = meanEntropy;
  }
  if (mb.ptx && config.ptxCoef > 0) {
    const ptx = lmLoss(model, mb.ptx).loss;
    loss = tf.add(loss, tf.mul(config.ptxCoef, ptx)) as tf.Scalar;
    metrics["loss/ptx"] = ptx;
  }
  return { loss, metrics };
}
