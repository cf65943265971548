/**
 * The step loop pretraining and SFT share: schedule -> step (data-parallel over threads) -> metrics -> periodic
 * held-out eval -> periodic resumable save. Everything a step depends on is a function of the
 * step number, so a run resumed from a saved state repeats the uninterrupted run's losses.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendName } from "./env";
import type { GPT } from "./model";
import type { Adam } from "./optim";
import { DataParallel } from "./parallel";
import { cosineLr, type CosineSchedule } from "./schedule";
import { type LmBatch, lmLoss, trainStep } from "./train";
import type { CheckpointStore } from "./checkpoint";
import { defaultThreads } from "./parallel";
import { hasTrainingState, loadTrainingState } from "./training-state";
import { createProgress } from "./cli/progress";

/** Options a resumed pretraining or SFT run takes from the command line; all others come from the saved state. */
/** Seeds between two steps' dropout: a forward pass takes one per dropout site (three per layer, with room), and each data-parallel share its own. */
const DROPOUT_SEEDS_PER_STEP = 100_000;

const operational = ["resume", "stopAfter", "evalEvery", "saveEvery", "threads"] as const;
type ResumableConfig = { out: string; resume: boolean; steps: number; stopAfter: number; evalEvery: number; saveEvery: number; threads: number };

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
  log: (line: string) => void;
}

export interface LoopInput {
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
  evaluate: () => number;
  saveEvery: number;
  /** Saves the resumable state after `step` steps. */
  save: (step: number, lossHistory: number[], valLoss: number | null) => Promise<void>;
  /** Stop (without the final save) after this many steps in total: a simulated crash, for tests. 0 = never. */
  stopAfter: number;
  lossHistory: number[];
  valLoss: number | null;
  label: string;
}

export interface LoopResult {
  step: number;
  lossHistory: number[];
  valLoss: number | null;
  stopped: boolean;
  tokensPerSec: number;
}

export async function trainLoop(input: LoopInput, hooks: LoopHooks): Promise<LoopResult> {
  const threads = input.threads > 0 ? input.threads : defaultThreads(input.backend);
  const parallel = threads > 1 ? await DataParallel.start(input.model, input.backend, threads) : null;
  if (parallel) hooks.log(`${input.label}: data-parallel over ${parallel.threads} threads`);
  try {
    return await loop(input, hooks, parallel);
  } finally {
    await parallel?.close();
  }
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
      valLoss = input.evaluate();
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
