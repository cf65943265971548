/**
 * Reward model training (Bradley-Terry): a scalar head on the SFT/base trunk, read at the last
 * token, fitted so that r(chosen) > r(rejected). Shared by `npm run trainer -- reward` and the
 * `reward` job.
 *
 * Loss per pair, d = r_chosen - r_rejected:
 *   judged pair:  -log sigmoid(d - margin)              (margin = marginScale * mapped strength; Llama 2)
 *   tie ("half"): -(0.5 log sigmoid(d) + 0.5 log sigmoid(-d))   (pulls P(chosen wins) toward 0.5)
 * averaged with per-row weights, plus centerRewardsCoef * mean((r_c + r_r)^2) (TRL's
 * center_rewards_coefficient, which keeps scores near zero mean).
 */
import * as tf from "@tensorflow/tfjs";
import { marginMapProblem } from "@/lib/runs/config-rules";
import { type CheckpointRecord, type CheckpointStore, saveCheckpoint } from "./checkpoint";
import { opt, rules } from "./cli/options";
import { addHeads, type GPT } from "./model";
import { Adam } from "./optim";
import { epochBatches, kwiseBatches, type PreferenceRow, splitByPrompt } from "./preferences";
import { createRng } from "./rng";
import { type Heartbeat, heartbeatEvery } from "./heartbeat";
import { backendName, defaultsOf, dropParams, loadModel, logSigmoid as logSigmoidT, newCheckpointId, type OnPlan, type OnStep, restoreWeights, snapshotWeights, type WeightSnapshot } from "./rlhf-common";
import { expectedCalibrationError, logSigmoid, mean, sigmoid } from "./rl-math";
import { encodeExample, type EncodedPair, forwardPacked, gatherEntries, packedRewards, packSequences } from "./sequences";
import type { Tokenizer } from "./tokenizer";
import { trainStep } from "./train";

/** The reward command's and job's config: defaults, each with its meaning (printed by --help). */
export const rewardOptions = {
  lr: opt(5e-5, "AdamW learning rate (TRL's TrainingArguments default 5e-5)", rules.positive),
  epochs: opt(1, "passes over the training pairs (InstructGPT: 1; more overfits)", rules.count),
  batchSize: opt(16, "pairs per step, packed whole by prompt (K-wise); a prompt with more pairs is one batch", rules.count),
  valFraction: opt(0.1, "share of prompts held out for validation (split by prompt hash)", { min: 0, below: 1 }),
  evalEvery: opt(0, "steps between validation passes; 0 = once per epoch and at the end", rules.natural),
  patience: opt(3, "validation passes without a better loss before stopping early; 0 = never stop early", rules.natural),
  marginScale: opt(1, "loss margin = marginScale * mapped strength; 0 turns margins off (Llama 2 ablation)", rules.nonNegative),
  marginMap: opt("", 'strength -> margin table like "1:0,2:0.5,3:1"; empty = the row\'s margin value as is'),
  ties: opt("drop", 'ties: "drop" them or train them toward P = 0.5 ("half")', { oneOf: ["drop", "half"] }),
  useWeights: opt(true, "weight each pair's loss by its row weight (labeler reliability)"),
  centerRewardsCoef: opt(0, "coefficient of mean((r_c + r_r)^2) (TRL center_rewards_coefficient); 0 = off", rules.nonNegative),
  weightDecay: opt(0, "AdamW decoupled weight decay on matrices", rules.nonNegative),
  clipNorm: opt(1, "clip the global gradient norm to this; 0 = off", rules.nonNegative),
  maxLength: opt(0, "tokens per sequence; 0 = the model's context length", rules.natural),
  seed: opt(0, "shuffling seed", rules.natural),
  splitSalt: opt("", "salt of the prompt hash that makes the train/validation split"),
};
export type RewardConfig = typeof rewardDefaults;
export const rewardDefaults = defaultsOf(rewardOptions);

/** One pair as the loss sees it. */
export interface PairTarget {
  /** Subtracted from r_c - r_r inside the sigmoid (0 for ties). */
  margin: number;
  weight: number;
  /** 1: chosen won; 0.5: a tie. */
  target: number;
}

function parseMarginMap(spec: string): Map<number, number> | null {
  if (!spec.trim()) return null;
  // The rule startRun checks before a run is queued (lib/runs/config-rules.ts), for the CLI, a job and any other caller.
  const problem = marginMapProblem(spec);
  if (problem) throw new Error(problem);
  const map = new Map<number, number>();
  for (const part of spec.split(",")) {
    const [k, v] = part.split(":").map((s) => Number(s.trim()));
    map.set(k, v);
  }
  return map;
}

export function pairTarget(row: PreferenceRow, config: Pick<RewardConfig, "marginScale" | "marginMap" | "useWeights">, marginMap = parseMarginMap(config.marginMap)): PairTarget {
  const strength = row.margin ?? 0;
  const mapped = marginMap ? (marginMap.get(strength) ?? 0) : strength;
  return { margin: row.tie ? 0 : config.marginScale * mapped, weight: config.useWeights ? (row.weight ?? 1) : 1, target: row.tie ? 0.5 : 1 };
}

/** The preference loss from chosen and rejected scores [N]; see the file comment. */
export function preferenceLoss(rc: tf.Tensor1D, rr: tf.Tensor1D, pairs: PairTarget[], centerRewardsCoef = 0): tf.Scalar {
  const d = tf.sub(rc, rr);
  const y = tf.tensor1d(pairs.map((p) => p.target));
  const w = tf.tensor1d(pairs.map((p) => p.weight));
  const shifted = tf.sub(d, tf.tensor1d(pairs.map((p) => p.margin)));
  // -(y log s(d - m) + (1 - y) log s(-(d - m))): y = 1 is the Bradley-Terry loss, y = 0.5 a tie.
  const perPair = tf.neg(tf.add(tf.mul(y, logSigmoidT(shifted)), tf.mul(tf.sub(1, y), logSigmoidT(tf.neg(shifted)))));
  let loss = tf.div(tf.sum(tf.mul(perPair, w)), tf.maximum(tf.sum(w), 1e-8)) as tf.Scalar;
  if (centerRewardsCoef > 0) loss = tf.add(loss, tf.mul(centerRewardsCoef, tf.mean(tf.square(tf.add(rc, rr))))) as tf.Scalar;
  return loss;
}

/** The same loss in plain numbers (for reporting validation loss without tensors). */
export function preferenceLossValue(rc: number[], rr: number[], pairs: PairTarget[], centerRewardsCoef = 0): number {
  let s = 0;
  let ws = 0;
  pairs.forEach((p, i) => {
    const x = rc[i] - rr[i] - p.margin;
    s += -p.weight * (p.target * logSigmoid(x) + (1 - p.target) * logSigmoid(-x));
    ws += p.weight;
  });
  const center = centerRewardsCoef > 0 ? centerRewardsCoef * mean(rc.map((c, i) => (c + rr[i]) ** 2)) : 0;
  return s / Math.max(ws, 1e-8) + center;
}

/**
 * A batch of pairs as unique (prompt, response) sequences: K responses to one prompt are run once
 * each, however many of the K(K-1)/2 pairs use them (InstructGPT's K-wise efficiency).
 */
interface PairBatch {
  seqs: EncodedPair[];
  chosen: number[]; //   index into seqs per pair
  rejected: number[];
  pairs: PairTarget[];
  tokens: number;
}

function pairBatch(rows: PreferenceRow[], tokenizer: Tokenizer, maxLength: number, targets: PairTarget[]): PairBatch {
  const index = new Map<string, number>();
  const seqs: EncodedPair[] = [];
  const idOf = (prompt: PreferenceRow["prompt"], response: string) => {
    const key = JSON.stringify([prompt, response]);
    let i = index.get(key);
    if (i === undefined) {
      i = seqs.length;
      index.set(key, i);
      seqs.push(encodeExample(tokenizer, prompt, response, maxLength));
    }
    return i;
  };
  const chosen = rows.map((r) => idOf(r.prompt, r.chosen));
  const rejected = rows.map((r) => idOf(r.prompt, r.rejected));
  return { seqs, chosen, rejected, pairs: targets, tokens: seqs.reduce((n, s) => n + s.promptIds.length + s.responseIds.length, 0) };
}

/** Scores of every unique sequence of a batch, then gathered per pair: ([N], [N]). */
function pairScores(model: GPT, batch: PairBatch, padId: number, training: boolean): { rc: tf.Tensor1D; rr: tf.Tensor1D } {
  const packed = packSequences(batch.seqs, padId);
  const scores = packedRewards(model, forwardPacked(model, packed, training), packed); // [U]
  return { rc: gatherEntries(scores, batch.chosen), rr: gatherEntries(scores, batch.rejected) };
}

interface PairStats {
  loss: number;
  accuracy: number;
  margin: number;
  chosenMean: number;
  rejectedMean: number;
  ece: number;
  pairs: number;
}

/** Metrics of a set of pairs from their scores; accuracy and margin over judged (non-tie) pairs. */
function pairStats(rc: number[], rr: number[], pairs: PairTarget[], centerRewardsCoef = 0): PairStats {
  const judged = pairs.map((p, i) => i).filter((i) => pairs[i].target === 1);
  return {
    loss: preferenceLossValue(rc, rr, pairs, centerRewardsCoef),
    accuracy: judged.length ? judged.filter((i) => rc[i] > rr[i]).length / judged.length : 0,
    margin: mean(judged.map((i) => rc[i] - rr[i])),
    chosenMean: mean(rc),
    rejectedMean: mean(rr),
    ece: expectedCalibrationError(rc.map((c, i) => sigmoid(c - rr[i])), pairs.map((p) => p.target)),
    pairs: pairs.length,
  };
}

/** Scores pairs without gradients, in batches, and returns their stats; `heartbeat` is awaited every ITEMS_PER_HEARTBEAT pairs. */
async function evaluatePairs(model: GPT, tokenizer: Tokenizer, rows: PreferenceRow[], config: RewardConfig, maxLength: number, heartbeat?: Heartbeat): Promise<PairStats> {
  const rc: number[] = [];
  const rr: number[] = [];
  const targets: PairTarget[] = [];
  const marginMap = parseMarginMap(config.marginMap);
  const scored = heartbeatEvery(heartbeat);
  for (const part of kwiseBatches(rows, Math.max(8, config.batchSize))) {
    const t = part.map((r) => pairTarget(r, config, marginMap));
    const b = pairBatch(part, tokenizer, maxLength, t);
    const [c, r] = tf.tidy(() => {
      const s = pairScores(model, b, tokenizer.padId, false);
      return [s.rc, s.rr];
    });
    rc.push(...c.dataSync());
    rr.push(...r.dataSync());
    tf.dispose([c, r]);
    targets.push(...t);
    await scored(part.length);
  }
  return pairStats(rc, rr, targets, config.centerRewardsCoef);
}

export interface TrainRewardInput {
  rows: PreferenceRow[];
  baseCheckpointId: string;
  config?: Partial<RewardConfig>;
  onStep?: OnStep;
  onPlan?: OnPlan;
  heartbeat?: Heartbeat;
  store: CheckpointStore;
  /** Id of the checkpoint to write; default reward-<time>. */
  outputId?: string;
  log?: (line: string) => void;
  /** Extra provenance saved in the checkpoint's training config (snapshot id, data file). */
  provenance?: Record<string, unknown>;
  /** A warning about the run as a whole (too few steps), raised before the first step; the job shows it on the run's page. */
  onHealth?: (flag: { flag: "too_few_steps"; iteration: number; message: string }) => Promise<void> | void;
}

/**
 * Below this many optimizer steps a reward head barely moves from its random start: the demo's
 * 72 judgments make about 4 at the defaults, where bench:reward-demo's 2,100 make 123.
 */
const FEW_REWARD_STEPS = 50;

/** The warning for a plan of too few steps, or null: what the numbers are, and what to change. */
export function fewStepsWarning({ trainPairs, steps, config }: { trainPairs: number; steps: number; config: Pick<RewardConfig, "batchSize" | "epochs"> }): string | null {
  if (steps >= FEW_REWARD_STEPS) return null;
  return (
    `${trainPairs} training pairs make ${steps} optimizer step${steps === 1 ? "" : "s"} at batchSize ${config.batchSize} and ${config.epochs} epoch${config.epochs === 1 ? "" : "s"}, ` +
    `too few for the reward model to learn much (the defaults suit thousands of judgments). For a snapshot this small, give it more passes, ` +
    `smaller batches and a higher learning rate, e.g. {"epochs": 12, "batchSize": 4, "lr": 3e-4, "valFraction": 0.25, "patience": 0}.`
  );
}

export interface TrainRewardResult {
  record: CheckpointRecord;
  /** Validation metrics of the kept (best) weights, and the run's totals. */
  metrics: Record<string, number>;
  steps: number;
  stoppedEarly: boolean;
}

const valMetrics = (s: PairStats): Record<string, number> => ({ "loss/val": s.loss, "reward/accuracy_val": s.accuracy, "reward/margin_val": s.margin, "reward/ece": s.ece });

export async function trainRewardModel(input: TrainRewardInput): Promise<TrainRewardResult> {
  const config: RewardConfig = { ...rewardDefaults, ...input.config };
  if (!["drop", "half"].includes(config.ties)) throw new Error(`ties must be "drop" or "half", got "${config.ties}"`);
  const log = input.log ?? (() => {});
  const marginMap = parseMarginMap(config.marginMap);

  // 1. data: drop ties unless trained toward 0.5; split by prompt
  const usable = input.rows.filter((r) => r.chosen !== r.rejected && (config.ties === "half" || !r.tie));
  const { train, val } = splitByPrompt(usable, config.valFraction, config.splitSalt);
  if (!train.length) throw new Error(`no training pairs (${input.rows.length} rows, ${usable.length} usable)`);
  log(`pairs: ${train.length} train, ${val.length} validation (${input.rows.length - usable.length} dropped: ties or identical responses)`);

  // 2. model: the base trunk with a fresh scalar head
  const { model, tokenizer, meta } = await loadModel(input.store, input.baseCheckpointId);
  dropParams(model, ["score.", "v_head."]);
  addHeads(model, ["reward"]);
  model.scoreAtEndOfText = false; // a fresh head learns transformers' reading point, whatever the base was
  const maxLength = config.maxLength > 0 ? Math.min(config.maxLength, model.config.contextLength) : model.config.contextLength;
  const optimizer = new Adam(model.params, { lr: config.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: config.weightDecay });
  const rng = createRng(config.seed);

  // 3. epochs of K-wise batches; validation every evalEvery steps; keep the best weights
  const epochs = epochBatches(train, config.batchSize, config.epochs, rng.next);
  const planned = epochs.reduce((n, batches) => n + batches.length, 0);
  input.onPlan?.(planned);
  const few = fewStepsWarning({ trainPairs: train.length, steps: planned, config });
  // A caller with onHealth reports the flag itself (the worker logs it as a warning, once); otherwise it is a log line.
  if (few && input.onHealth) await input.onHealth({ flag: "too_few_steps", iteration: 0, message: few });
  else if (few) log(`warning: ${few}`);
  let best: { loss: number; weights: WeightSnapshot; metrics: Record<string, number>; step: number } | null = null;
  let sinceBest = 0;
  let step = 0;
  let stoppedEarly = false;
  let tokens = 0;
  const t0 = performance.now();
  const validate = async (): Promise<Record<string, number> | null> => {
    if (!val.length) return null;
    const s = await evaluatePairs(model, tokenizer, val, config, maxLength, input.heartbeat);
    const m = valMetrics(s);
    if (!best || s.loss < best.loss) {
      best = { loss: s.loss, weights: snapshotWeights(model), metrics: m, step };
      sinceBest = 0;
    } else sinceBest++;
    return m;
  };
  training: for (const batches of epochs) {
    for (const [i, rows] of batches.entries()) {
      const targets = rows.map((r) => pairTarget(r, config, marginMap));
      const batch = pairBatch(rows, tokenizer, maxLength, targets);
      const res = trainStep(
        model,
        optimizer,
        batch,
        (m, b) => {
          const { rc, rr } = pairScores(m, b, tokenizer.padId, true);
          return { loss: preferenceLoss(rc, rr, b.pairs, config.centerRewardsCoef), metrics: pairMetricTensors(rc, rr, b.pairs) };
        },
        { clipNorm: config.clipNorm },
      );
      step++;
      tokens += batch.tokens;
      const metrics: Record<string, number> = { "loss/train": res.loss, ...res.metrics, "tokens/s": tokens / ((performance.now() - t0) / 1000) };
      // evalEvery 0: at the end of each epoch
      if (config.evalEvery > 0 ? step % config.evalEvery === 0 : i === batches.length - 1) Object.assign(metrics, await validate());
      await input.onStep?.(step, metrics);
      if (config.patience > 0 && sinceBest >= config.patience) {
        stoppedEarly = true;
        log(`stopping early at step ${step}: validation loss has not improved for ${config.patience} evaluations`);
        break training;
      }
    }
  }
  // evalEvery 0 validated at the last step already, as the end of the last epoch.
  if (config.evalEvery > 0 && step % config.evalEvery !== 0 && !stoppedEarly) {
    const m = await validate();
    if (m) await input.onStep?.(step, m);
  }

  // 4. keep the best weights and save them as a reward checkpoint
  const kept = best as { weights: WeightSnapshot; metrics: Record<string, number>; step: number } | null;
  if (kept) restoreWeights(model, kept.weights);
  const seconds = (performance.now() - t0) / 1000;
  const metrics = { ...(kept?.metrics ?? {}), "train/steps": step, "train/best_step": kept?.step ?? step, "train/seconds": seconds, "tokens/s": tokens / seconds, "data/train_pairs": train.length, "data/val_pairs": val.length };
  const id = input.outputId || newCheckpointId("reward");
  const record = await saveCheckpoint(input.store, {
    id,
    model,
    tokenizer,
    kind: "reward",
    parentId: meta.id,
    backend: backendName(),
    trainingConfig: { command: "reward", ...config, base: input.baseCheckpointId, ...input.provenance },
    metrics,
  });
  optimizer.dispose();
  for (const p of Object.values(model.params)) p.dispose();
  log(`saved reward model ${id} (best step ${kept?.step ?? step}${kept ? `, val accuracy ${kept.metrics["reward/accuracy_val"].toFixed(3)}` : ""})`);
  return { record, metrics, steps: step, stoppedEarly };
}

/** Training-batch metrics from the loss's own forward pass (before the update, as TRL logs them). */
function pairMetricTensors(rc: tf.Tensor1D, rr: tf.Tensor1D, pairs: PairTarget[]): Record<string, tf.Scalar> {
  const judged = tf.tensor1d(pairs.map((p) => (p.target === 1 ? 1 : 0)));
  const n = tf.maximum(tf.sum(judged), 1);
  const d = tf.sub(rc, rr);
  return {
    "reward/accuracy": tf.div(tf.sum(tf.mul(tf.cast(tf.greater(d, 0), "float32"), judged)), n) as tf.Scalar,
    "reward/margin": tf.div(tf.sum(tf.mul(d, judged)), n) as tf.Scalar,
    "reward/chosen_mean": tf.mean(rc) as tf.Scalar,
    "reward/rejected_mean": tf.mean(rr) as tf.Scalar,
  };
}
