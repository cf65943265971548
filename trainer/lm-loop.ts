/**
 * The step loop pretraining and SFT share: schedule -> step (data-parallel over threads) -> metrics -> periodic
 * held-out eval -> periodic resumable save. Everything a step depends on is a function of the
 * step number, so a run resumed from a saved state repeats the uninterrupted run's losses.
 * `runLmSteps` is the whole run after data and model are ready: this loop, the final state, the checkpoint.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendName } from "./env";
import { type CheckpointRecord, type CheckpointStore, saveCheckpoint, type SaveCheckpointInput } from "./checkpoint";
import { disposeModel, type GPT } from "./model";
import type { Adam } from "./optim";
import type { Heartbeat } from "./heartbeat";
import { DataParallel } from "./parallel";
import { cosineLr, type CosineSchedule } from "./schedule";
import { type LmBatch, lmLoss, trainStep } from "./train";
import { defaultThreads } from "./parallel";
import { hasTrainingState, loadTrainingState, saveTrainingState, type TrainerState } from "./training-state";
import { createProgress } from "./cli/progress";

/** Options a resumed pretraining or SFT run takes from the command line; all others come from the saved state. */
/** Seeds between two steps' dropout: a forward pass takes one per dropout site (three per layer, with room), and each data-parallel share its own. */
const DROPOUT_SEEDS_PER_STEP = 100_000;

const operational = ["resume", "stopAfter", "evalEvery", "saveEvery", "threads"] as const;
type ResumableConfig = { out: string; resume: boolean; steps: number; stopAfter: number; evalEvery: number; saveEvery: number; threads: number };
/** The options of pretraining and SFT that the shared run (runLmSteps) reads. */
type LmRunConfig = ResumableConfig & { seed: number; lr: number; minLr: number; warmupSteps: number; clipNorm: number };

/** With --resume: `<out>-resume`'s state and its saved config (operational options from the flags); else the flags as they are. */
export async function resumeLmRun<C extends ResumableConfig>(store: CheckpointStore, flags: C, log: (line: string) => void) {
  const resumed = flags.resume && (await hasTrainingState(store, flags.out)) ? await loadTrainingState(store, flags.out) : null;
  if (flags.resume && !resumed) log(`no resumable state ${flags.out}-resume: starting fresh`);
  if (!resumed) return { cfg: flags, resumed };
  const cfg: C = { ...(resumed.state.config as C), ...Object.fromEntries(operational.map((k) => [k, flags[k]])) };
  log(`resuming ${flags.out} at step ${resumed.state.step}/${cfg.steps}`);
  return { cfg, resumed };
}

export interface LoopHooks {
  /** Called after every step with its metrics (loss/train, lr, tokens/s, grad_norm; loss/val on eval steps). */
  onStep?: (step: number, metrics: Record<string, number>) => Promise<void>;
  /** Awaited within a held-out evaluation, every ITEMS_PER_HEARTBEAT windows or examples (a worker job heartbeats here). */
  heartbeat?: Heartbeat;
  log: (line: string) => void;
}

interface LoopInput {
  model: GPT;
  optimizer: Adam;
  /** Steps already done (from a resumed state). */
  startStep: number;
  schedule: CosineSchedule;
  clipNorm: number;
  batchAt: (step: number) => LmBatch;
  /** Data-parallel threads (parallel.ts); 1 = the main thread only, 0 = the backend's default. */
  threads: number;
  backend: BackendName;
  evalEvery: number;
  /** The held-out loss; awaits `heartbeat` as it goes. */
  evaluate: (heartbeat?: Heartbeat) => Promise<number>;
  saveEvery: number;
  /** Saves the resumable state after `step` steps. */
  save: (step: number, lossHistory: number[], valLoss: number | null) => Promise<void>;
  /** Stop (without the final save) after this many steps in total: a simulated crash, for tests. 0 = never. */
  stopAfter: number;
  lossHistory: number[];
  valLoss: number | null;
  label: string;
}

interface LoopResult {
  step: number;
  lossHistory: number[];
  valLoss: number | null;
  stopped: boolean;
  tokensPerSec: number;
}

async function trainLoop(input: LoopInput, hooks: LoopHooks): Promise<LoopResult> {
  const threads = input.threads > 0 ? input.threads : defaultThreads(input.backend);
  const parallel = threads > 1 ? await DataParallel.start(input.model, input.backend, threads) : null;
  if (parallel) hooks.log(`${input.label}: data-parallel over ${parallel.threads} threads`);
  try {
    return await loop(input, hooks, parallel);
  } finally {
    await parallel?.close();
  }
}

export interface LmRunResult {
  /** The checkpoint written; null when a simulated crash (stopAfter) stopped the run first. */
  record: CheckpointRecord | null;
  step: number;
  metrics: Record<string, number>;
  lossHistory: number[];
}

export interface LmRunInput {
  cfg: LmRunConfig;
  store: CheckpointStore;
  /** The checkpoint the run writes, less its metrics: its final save and every resumable state. */
  checkpoint: Omit<SaveCheckpointInput, "metrics">;
  optimizer: Adam;
  resumed: { state: TrainerState } | null;
  batchAt: LoopInput["batchAt"];
  evaluate: LoopInput["evaluate"];
  label: string;
  /** Figures beyond the loop's, measured on the trained model before it is saved; awaits `heartbeat` as it goes. */
  extraMetrics?: (heartbeat?: Heartbeat) => Promise<Record<string, number>>;
}

/**
 * Pretraining's and SFT's run once its data and model are ready: the step loop, then the final
 * resumable state and the checkpoint (neither after a simulated crash). Disposes the optimizer
 * and the model.
 */
export async function runLmSteps(input: LmRunInput, ctx: { backend: BackendName } & LoopHooks): Promise<LmRunResult> {
  const { cfg, store, checkpoint, optimizer, resumed } = input;
  const saveState = (metrics: Record<string, number>, state: Omit<TrainerState, "seed" | "config">) =>
    saveTrainingState(store, { ...checkpoint, metrics, optimizer, state: { ...state, seed: cfg.seed, config: cfg } });
  const result = await trainLoop(
    {
      model: checkpoint.model,
      optimizer,
      startStep: resumed?.state.step ?? 0,
      schedule: { lr: cfg.lr, minLr: cfg.minLr, warmupSteps: cfg.warmupSteps, totalSteps: cfg.steps },
      clipNorm: cfg.clipNorm,
      batchAt: input.batchAt,
      threads: cfg.threads,
      backend: ctx.backend,
      evalEvery: cfg.evalEvery,
      evaluate: input.evaluate,
      saveEvery: cfg.saveEvery,
      save: (step, lossHistory, valLoss) => saveState({ step }, { step, lossHistory, valLoss }),
      stopAfter: cfg.stopAfter,
      lossHistory: resumed?.state.lossHistory ?? [],
      valLoss: resumed?.state.valLoss ?? null,
      label: input.label,
    },
    ctx,
  );
  const metrics: Record<string, number> = { step: result.step, "loss/train": result.lossHistory.at(-1) ?? NaN, "tokens/s": result.tokensPerSec };
  if (result.valLoss !== null) Object.assign(metrics, { "loss/val": result.valLoss, "val/perplexity": Math.exp(result.valLoss) });
  Object.assign(metrics, await input.extraMetrics?.(ctx.heartbeat));
  let record: CheckpointRecord | null = null;
  if (!result.stopped) {
    await saveState(metrics, { step: result.step, lossHistory: result.lossHistory, valLoss: result.valLoss });
    record = await saveCheckpoint(store, { ...checkpoint, metrics });
    ctx.log(`saved ${record.id} at ${record.location}: ${JSON.stringify(metrics)}`);
  }
  optimizer.dispose();
  disposeModel(checkpoint.model);
  return { record, step: result.step, metrics, lossHistory: result.lossHistory };
}

async function loop(input: LoopInput, hooks: LoopHooks, parallel: DataParallel | null): Promise<LoopResult> {
  const { model, optimizer, schedule } = input;
  const lossHistory = input.lossHistory.slice(0, input.startStep);
  let valLoss = input.valLoss;
  const progress = createProgress(input.label, schedule.totalSteps);
  const tensorsAtStart = tf.memory().numTensors;
  const t0 = performance.now();
  let tokens = 0;
  let step = input.startStep;
  for (; step < schedule.totalSteps; step++) {
    if (input.stopAfter > 0 && step >= input.stopAfter) {
      progress.stop();
      return { step, lossHistory, valLoss, stopped: true, tokensPerSec: tokens / ((performance.now() - t0) / 1000) };
    }
    const lr = cosineLr(step, schedule);
    // The step in the dropout seed: a resumed run draws the masks the uninterrupted one would have.
    const batch = { ...input.batchAt(step), dropoutSeed: DROPOUT_SEEDS_PER_STEP * (step + 1) };
    const opts = { lr, clipNorm: input.clipNorm };
    const r = parallel ? await parallel.step(optimizer, batch, opts) : trainStep(model, optimizer, batch, lmLoss, opts);
    if (!Number.isFinite(r.loss)) throw new Error(`loss is ${r.loss} at step ${step + 1}`);
    lossHistory.push(r.loss);
    tokens += batch.B * batch.T;
    const tps = tokens / ((performance.now() - t0) / 1000);
    const metrics: Record<string, number> = { "loss/train": r.loss, lr, "tokens/s": tps, grad_norm: r.gradNorm };
    const done = step + 1;
    if ((input.evalEvery > 0 && done % input.evalEvery === 0) || done === schedule.totalSteps) {
      valLoss = await input.evaluate(hooks.heartbeat);
      metrics["loss/val"] = valLoss;
      metrics["val/perplexity"] = Math.exp(valLoss);
      hooks.log(`step ${done}/${schedule.totalSteps} loss/train ${r.loss.toFixed(4)} loss/val ${valLoss.toFixed(4)} (ppl ${Math.exp(valLoss).toFixed(2)}) lr ${lr.toExponential(2)} ${tps.toFixed(0)} tok/s tensors ${tf.memory().numTensors - tensorsAtStart}`);
    }
    progress.update(done, { loss: r.loss, tokensPerSec: tps });
    await hooks.onStep?.(done, metrics);
    if (input.saveEvery > 0 && done % input.saveEvery === 0 && done < schedule.totalSteps) await input.save(done, lossHistory, valLoss);
  }
  progress.stop();
  return { step, lossHistory, valLoss, stopped: false, tokensPerSec: tokens / ((performance.now() - t0) / 1000) };
}
