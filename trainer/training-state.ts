/**
 * A resumable training state: a checkpoint's files plus optimizer.safetensors (Adam's moments)
 * and trainer_state.json (step, seed, config, loss history). The data order and dropout seeds
 * are pure functions of (seed, step), so the step is the data position and the RNG state.
 */
import type { CheckpointStore, PairwiseMeta, SaveCheckpointInput } from "./checkpoint";
import { checkpointFiles, loadCheckpoint } from "./checkpoint";
import type { GPT } from "./model";
import type { Adam, AdamState } from "./optim";
import { readSafetensors, writeSafetensors } from "./safetensors";
import type { Tokenizer } from "./tokenizer";

export interface TrainerState {
  /** Optimisation steps completed. */
  step: number;
  /** The run's seed (data order, dropout). */
  seed: number;
  /** The resolved config the run started with. */
  config: Record<string, unknown>;
  /** Train loss per completed step, so a resumed run's curve can be compared. */
  lossHistory: number[];
  /** Latest held-out loss, if evaluated. */
  valLoss: number | null;
}

/** Where a run's resumable state lives in the store, beside its final checkpoint. */
export const resumeId = (out: string) => `${out}-resume`;

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v) + "\n");

export async function saveTrainingState(store: CheckpointStore, input: SaveCheckpointInput & { optimizer: Adam; state: TrainerState }): Promise<void> {
  const files = checkpointFiles(input);
  const opt = input.optimizer.exportState();
  const tensors = Object.fromEntries([...Object.entries(opt.m).map(([k, t]) => [`m.${k}`, t]), ...Object.entries(opt.v).map(([k, t]) => [`v.${k}`, t])]);
  files["optimizer.safetensors"] = writeSafetensors(tensors, { step: String(opt.step) });
  files["trainer_state.json"] = enc(input.state);
  await store.save(resumeId(input.id), files);
}

export async function hasTrainingState(store: CheckpointStore, out: string): Promise<boolean> {
  return (await store.list()).includes(resumeId(out));
}

export async function loadTrainingState(store: CheckpointStore, out: string): Promise<{ model: GPT; tokenizer: Tokenizer; meta: PairwiseMeta; optimizer: AdamState; state: TrainerState }> {
  const id = resumeId(out);
  const files = await store.load(id);
  if (!files["optimizer.safetensors"] || !files["trainer_state.json"]) throw new Error(`${id} is not a resumable training state`);
  const { model, tokenizer, meta } = await loadCheckpoint(store, id);
  const { tensors, metadata } = readSafetensors(files["optimizer.safetensors"]);
  const optimizer: AdamState = { step: Number(metadata.step), m: {}, v: {} };
  for (const [k, t] of Object.entries(tensors)) (k.startsWith("m.") ? optimizer.m : optimizer.v)[k.slice(2)] = t;
  const state = JSON.parse(new TextDecoder().decode(files["trainer_state.json"])) as TrainerState;
  return { model, tokenizer, meta, optimizer, state };
}
