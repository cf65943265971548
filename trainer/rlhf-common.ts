/**
 * Pieces the reward, DPO, PPO and eval loops share: defaults from an option table, loading a
 * checkpoint as a given role, snapshots of weights for "keep the best", checkpoint ids.
 */
import * as tf from "@tensorflow/tfjs";
import { activeBackend } from "./backend";
import { type CheckpointStore, loadCheckpoint } from "./checkpoint";
import type { OptionTable, Resolved } from "./cli/options";
import type { GPT } from "./model";

export function defaultsOf<T extends OptionTable>(table: T): Resolved<T> {
  return Object.fromEntries(Object.entries(table).map(([k, o]) => [k, o.default])) as Resolved<T>;
}

/** Called after every optimisation step; the job uses it to report metrics and honour cancel (it may throw). */
export type OnStep = (step: number, metrics: Record<string, number>) => Promise<void> | void;

/** Called once before the first step with the steps planned (an upper bound when training can stop early). */
export type OnPlan = (totalSteps: number) => void;

/**
 * A checkpoint for reward, DPO and PPO training and for eval, with dropout off, as TRL's
 * disable_dropout does for these trainers: PPO's ratio compares the updated policy with the
 * rollout's log-probs, which were taken without dropout, and a reference model is never
 * dropped out. A GPT-2 imported from Hugging Face has dropout 0.1. The checkpoints these
 * stages save record dropout 0.
 */
export async function loadModel(store: CheckpointStore, id: string) {
  if (!id) throw new Error("a checkpoint id is required");
  const loaded = await loadCheckpoint(store, id);
  loaded.model.config = { ...loaded.model.config, dropout: 0 };
  return loaded;
}

/** Removes heads a role does not use, so they are neither trained nor saved (a reward model has no value head). */
export function dropParams(model: GPT, prefix: string[]): void {
  for (const name of Object.keys(model.params)) {
    if (prefix.some((p) => name.startsWith(p))) {
      model.params[name].dispose();
      delete model.params[name];
    }
  }
}

/** Host copies of every weight: kept when validation improves, restored at the end. */
export type WeightSnapshot = Record<string, Float32Array>;
export function snapshotWeights(model: GPT): WeightSnapshot {
  return Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, (v.dataSync() as Float32Array).slice()]));
}
export function restoreWeights(model: GPT, snap: WeightSnapshot): void {
  for (const [k, v] of Object.entries(model.params)) tf.tidy(() => v.assign(tf.tensor(snap[k], v.shape)));
}

export const newCheckpointId = (kind: string) => `${kind}-${new Date().toISOString().replace(/[:.]/g, "-").replace(/Z$/, "")}`;

export function backendName(): ReturnType<typeof activeBackend> {
  return activeBackend();
}

/**
 * log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|)), stable for any x. tf.logSigmoid's own gradient
 * closes over its input without saving it, which the gradient tape has disposed by then.
 */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.minimum(x, 0), tf.log(tf.add(1, tf.exp(tf.neg(tf.abs(x))))));
}

