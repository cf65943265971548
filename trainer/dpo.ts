/**
 * Direct Preference Optimisation (Rafailov et al. 2023): the policy is trained on preference
 * pairs directly, with the frozen SFT model as reference, no reward model and no sampling.
 * Shared by `npm run trainer -- dpo` and the `dpo` job.
 *
 *   implicit reward  r(y) = beta (log pi(y|x) - log pi_ref(y|x))      (sums over response tokens)
 *   loss             -(1 - eps) log sigmoid(r_c - r_r) - eps log sigmoid(r_r - r_c)
 * (eps = labelSmoothing: conservative DPO; 0 is the paper's loss, TRL's "sigmoid" default).
 */
import * as tf from "@tensorflow/tfjs";
import { type CheckpointRecord, type CheckpointStore, saveCheckpoint } from "./checkpoint";
import { opt, rules } from "./cli/options";
import { disposeModel, type GPT } from "./model";
import { Adam } from "./optim";
import { epochBatches, kwiseBatches, type PreferenceRow, splitByPrompt } from "./preferences";
import { createRng } from "./rng";
import { type Heartbeat, heartbeatEvery } from "./heartbeat";
import { backendName, defaultsOf, dropParams, loadModel, logSigmoid as logSigmoidT, newCheckpointId, type OnPlan, type OnStep, restoreWeights, snapshotWeights, type WeightSnapshot } from "./rlhf-common";
import { mean } from "./rl-math";
import { encodeExample, type EncodedPair, forwardPacked, packSequences, scoreLogprobs, sequenceLogprobs, targetLogprobs } from "./sequences";
import type { Tokenizer } from "./tokenizer";
import { trainStep } from "./train";

export const dpoOptions = {
  beta: opt(0.1, "strength of the KL constraint to the reference: implicit reward scale (TRL default 0.1)", rules.positive),
  labelSmoothing: opt(0, "assumed label-flip rate (conservative DPO); 0 = plain DPO", { min: 0, below: 0.5 }),
  lr: opt(1e-5, "AdamW learning rate (TRL DPOConfig: 1e-6, for models of billions of parameters; at 1e-6 a demo-sized policy barely moves: docs/rlhf.md#dpo)", rules.positive),
  epochs: opt(1, "passes over the training pairs", rules.count),
  batchSize: opt(8, "pairs per step, packed whole by prompt", rules.count),
  valFraction: opt(0.1, "share of prompts held out for validation (split by prompt hash)", { min: 0, below: 1 }),
  clipNorm: opt(1, "clip the global gradient norm to this; 0 = off", rules.nonNegative),
  maxLength: opt(0, "tokens per sequence; 0 = the model's context length", rules.natural),
  seed: opt(0, "shuffling seed", rules.natural),
  splitSalt: opt("", "salt of the prompt hash that makes the train/validation split"),
};
type DpoConfig = typeof dpoDefaults;
const dpoDefaults = defaultsOf(dpoOptions);

/** The DPO loss and TRL's reward metrics from the four sequence log-prob vectors [N]. */
export function dpoLoss(
  policyChosen: tf.Tensor1D,
  policyRejected: tf.Tensor1D,
  refChosen: tf.Tensor1D,
  refRejected: tf.Tensor1D,
  beta: number,
  labelSmoothing = 0,
): { loss: tf.Scalar; metrics: Record<string, tf.Scalar> } {
  const rc = tf.mul(beta, tf.sub(policyChosen, refChosen)); // [N]
  const rr = tf.mul(beta, tf.sub(policyRejected, refRejected));
  const d = tf.sub(rc, rr);
  const perPair = tf.neg(tf.add(tf.mul(1 - labelSmoothing, logSigmoidT(d)), tf.mul(labelSmoothing, logSigmoidT(tf.neg(d)))));
  const loss = tf.mean(perPair) as tf.Scalar;
  return {
    loss,
    metrics: {
      "loss/dpo": tf.clone(loss), // a separate tensor: trainStep disposes metrics before reading the loss
      "rewards/chosen": tf.mean(rc) as tf.Scalar,
      "rewards/rejected": tf.mean(rr) as tf.Scalar,
      "rewards/accuracies": tf.mean(tf.cast(tf.greater(rc, rr), "float32")) as tf.Scalar,
      "rewards/margins": tf.mean(d) as tf.Scalar,
      "logps/chosen": tf.mean(policyChosen) as tf.Scalar,
      "logps/rejected": tf.mean(policyRejected) as tf.Scalar,
    },
  };
}

interface DpoBatch {
  seqs: EncodedPair[]; // chosen rows then rejected rows
  refChosen: number[];
  refRejected: number[];
  tokens: number;
}

function dpoBatch(rows: PreferenceRow[], tokenizer: Tokenizer, reference: GPT, maxLength: number): DpoBatch {
  const seqs = [...rows.map((r) => encodeExample(tokenizer, r.prompt, r.chosen, maxLength)), ...rows.map((r) => encodeExample(tokenizer, r.prompt, r.rejected, maxLength))];
  const ref = scoreLogprobs(reference, seqs, tokenizer.padId, seqs.length);
  return { seqs, refChosen: ref.slice(0, rows.length), refRejected: ref.slice(rows.length), tokens: seqs.reduce((n, s) => n + s.promptIds.length + s.responseIds.length, 0) };
}

function batchLoss(model: GPT, b: DpoBatch, padId: number, config: DpoConfig, training: boolean) {
  const packed = packSequences(b.seqs, padId);
  const logps = sequenceLogprobs(targetLogprobs(model, forwardPacked(model, packed, training), packed), packed); // [2N]
  const n = b.refChosen.length;
  return dpoLoss(tf.slice(logps, 0, n), tf.slice(logps, n, n), tf.tensor1d(b.refChosen), tf.tensor1d(b.refRejected), config.beta, config.labelSmoothing);
}

export interface TrainDpoInput {
  rows: PreferenceRow[];
  /** The SFT checkpoint: the policy starts from it and it is the frozen reference. */
  sftCheckpointId: string;
  config?: Partial<DpoConfig>;
  onStep?: OnStep;
  onPlan?: OnPlan;
  heartbeat?: Heartbeat;
  store: CheckpointStore;
  outputId?: string;
  log?: (line: string) => void;
  provenance?: Record<string, unknown>;
}

export async function trainDpo(input: TrainDpoInput): Promise<{ record: CheckpointRecord; metrics: Record<string, number>; steps: number }> {
  const config: DpoConfig = { ...dpoDefaults, ...input.config };
  const log = input.log ?? (() => {});
  const usable = input.rows.filter((r) => !r.tie && r.chosen !== r.rejected);
  const { train, val } = splitByPrompt(usable, config.valFraction, config.splitSalt);
  if (!train.length) throw new Error(`no training pairs (${input.rows.length} rows, ${usable.length} usable)`);
  log(`pairs: ${train.length} train, ${val.length} validation (${input.rows.length - usable.length} ties or identical pairs dropped)`);

  const { model, tokenizer, meta } = await loadModel(input.store, input.sftCheckpointId);
  const { model: reference } = await loadModel(input.store, input.sftCheckpointId);
  dropParams(model, ["score.", "v_head."]);
  const maxLength = config.maxLength > 0 ? Math.min(config.maxLength, model.config.contextLength) : model.config.contextLength;
  const optimizer = new Adam(model.params, { lr: config.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  const rng = createRng(config.seed);

  const evaluate = async (): Promise<Record<string, number>> => {
    const sums: Record<string, number[]> = {};
    const scored = heartbeatEvery(input.heartbeat);
    for (const rows of kwiseBatches(val, config.batchSize)) {
      const b = dpoBatch(rows, tokenizer, reference, maxLength);
      const values = tf.tidy(() => Object.entries(batchLoss(model, b, tokenizer.padId, config, false).metrics).map(([k, t]) => [k, t.dataSync()[0]] as const));
      for (const [k, v] of values) (sums[`eval/${k}`] ??= []).push(v);
      await scored(rows.length);
    }
    return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, mean(v)]));
  };

  let step = 0;
  let tokens = 0;
  let best: { loss: number; weights: WeightSnapshot; metrics: Record<string, number> } | null = null;
  const t0 = performance.now();
  const epochs = epochBatches(train, config.batchSize, config.epochs, rng.next);
  input.onPlan?.(epochs.reduce((n, batches) => n + batches.length, 0));
  for (const batches of epochs) {
    for (const rows of batches) {
      const b = dpoBatch(rows, tokenizer, reference, maxLength);
      const res = trainStep(model, optimizer, b, (m, batch) => batchLoss(m, batch, tokenizer.padId, config, true), { clipNorm: config.clipNorm });
      step++;
      tokens += b.tokens;
      const metrics = { ...res.metrics, "tokens/s": tokens / ((performance.now() - t0) / 1000) };
      await input.onStep?.(step, metrics);
    }
    if (val.length) {
      const m = await evaluate();
      await input.onStep?.(step, m);
      if (!best || m["eval/loss/dpo"] < best.loss) best = { loss: m["eval/loss/dpo"], weights: snapshotWeights(model), metrics: m };
    }
  }
  const kept = best as { weights: WeightSnapshot; metrics: Record<string, number> } | null;
  if (kept) restoreWeights(model, kept.weights);
  const seconds = (performance.now() - t0) / 1000;
  const metrics = { ...(kept?.metrics ?? {}), "train/steps": step, "train/seconds": seconds, "tokens/s": tokens / seconds };
  const id = input.outputId || newCheckpointId("dpo");
  const record = await saveCheckpoint(input.store, {
    id,
    model,
    tokenizer,
    kind: "policy",
    parentId: meta.id,
    backend: backendName(),
    trainingConfig: { command: "dpo", ...config, sft: input.sftCheckpointId, ...input.provenance },
    metrics,
  });
  optimizer.dispose();
  disposeModel(model);
  disposeModel(reference);
  log(`saved DPO policy ${id}`);
  return { record, metrics, steps: step };
}
