/**
 * PPO against the SFT model (Ziegler et al. 2019, Stiennon et al. 2020, InstructGPT), in one flat
 * loop with numbered phases per iteration:
 *
 *   1. rollout    sample responses from the policy (temperature 1, no top-k/top-p, so the sampled
 *                 tokens' log-probs are the policy's own), then one forward pass of the policy for
 *                 log-probs and values and one of the frozen reference for its log-probs
 *   2. score      the reward model at the last token (or a programmatic reward), minus a penalty
 *                 for responses without end-of-text if set, optionally normalised and clipped
 *   3. KL penalty per-token reward -beta * KL(policy || reference) (k1 or k3), the score added at
 *                 the last token; beta fixed or adapted toward a target (Ziegler's controller)
 *   4. advantages GAE(gamma, lambda) per response, or RLOO (a response's sequence reward minus the
 *                 mean of its prompt's other samples'), whitened over the batch
 *   5. updates    ppoEpochs passes of minibatch steps on the clipped surrogate + clipped value loss
 *                 (+ entropy bonus, + PPO-ptx), stopping early when policy/policykl passes 1.5 * targetKl
 *
 * Value head: a shared trunk (TRL's AutoModelForCausalLMWithValueHead): v_head.summary on the
 * policy's last hidden state. See docs/rlhf.md for why.
 */
import * as tf from "@tensorflow/tfjs";
import { ppoConfigProblems, refuseProblems } from "@/lib/runs/config-rules";
import type { CheckpointRecord, CheckpointStore } from "../checkpoint";
import { saveCheckpoint } from "../checkpoint";
import { generateAsync } from "../generate";
import { type Heartbeat, heartbeatEvery, ITEMS_PER_HEARTBEAT } from "../heartbeat";
import { addHeads, disposeModel, type GPT, tokenValues } from "../model";
import { Adam } from "../optim";
import { DataParallel, defaultThreads, unflatten } from "../parallel";
import { formatPrompt, parseResponse, type PromptInput } from "../prompt-format";
import { createRng } from "../rng";
import { backendName, dropParams, loadModel, newCheckpointId } from "../rlhf-common";
import { AdaptiveKlController, FixedKlController, gae, type KlController, type KlEstimator, klEstimators, klPerToken, leaveOneOutBaselines, maskedWhiten, mean, repeatedNgramRate, varianceExplained } from "../rl-math";
import { scoreTexts } from "../score";
import { chunks, type EncodedPair, forwardPacked, packSequences, responseEntries, scatterResponse, targetLogprobs, truncatePair } from "../sequences";
import type { Tokenizer } from "../tokenizer";
import { applyGradients, lossGradients, randomWindows, readStep, type StepResult, trainStep } from "../train";
import { hasTrainingState, loadTrainingState, resumeId, saveTrainingState, type TrainerState } from "../training-state";
import { type PpoConfig, ppoDefaults } from "./config";
import { type HealthFlag, healthFlagLine, healthFlags } from "./health";
import { ppoLoss, type PpoMinibatch } from "./loss";

/** A programmatic reward (tests, toy tasks) instead of a reward model. */
export type RewardFn = (x: { prompt: PromptInput; response: string; tokens: number[] }) => number;

interface Sample {
  iteration: number;
  prompt: PromptInput;
  response: string;
  score: number;
}

export interface TrainPpoInput {
  store: CheckpointStore;
  /** Policy and frozen reference both start here. */
  sftCheckpointId: string;
  rewardCheckpointId?: string;
  rewardFn?: RewardFn;
  prompts: PromptInput[];
  /** Pretraining text for PPO-ptx. */
  ptxTexts?: string[];
  config?: Partial<PpoConfig>;
  /** Final checkpoint id; the resumable state lives at `${outputId}-resume`. */
  outputId?: string;
  /** Continue from the resumable state of outputId when there is one. */
  resume?: boolean;
  /** After every gradient step (the job heartbeats and honours cancel here; may throw). */
  onUpdate?: () => Promise<void> | void;
  /**
   * Awaited within the rollout, before the first gradient step: every 64 x maxNewTokens tokens fed
   * to the policy while sampling, and every 64 responses of the log-prob passes and of scoring (a
   * cancel throws from here).
   */
  heartbeat?: Heartbeat;
  /**
   * After every iteration with its metrics (may throw: the run stops, the last saved state stays)
   * and, with `maxMinutes`, the milliseconds left of that budget (negative once spent: this was the last).
   */
  onIteration?: (iteration: number, metrics: Record<string, number>, budgetMsLeft?: number) => Promise<void> | void;
  onSamples?: (samples: Sample[]) => Promise<void> | void;
  onHealth?: (flag: HealthFlag) => Promise<void> | void;
  log?: (line: string) => void;
  provenance?: Record<string, unknown>;
}

export interface TrainPpoResult {
  record: CheckpointRecord;
  metrics: Record<string, number>;
  history: Array<Record<string, number>>;
  samples: Sample[];
  flags: HealthFlag[];
  iterations: number;
  resumedFrom: number | null;
}

/** Everything beyond weights and Adam that a resumed run needs, saved as trainer_state.json. */
interface PpoState extends TrainerState {
  klCoef: number;
  scoreStats: { count: number; mean: number; m2: number };
  history: Array<Record<string, number>>;
  samples: Sample[];
  flags: HealthFlag[];
}

/** Welford's running mean and variance of scores (TRL's use_score_scaling / use_score_norm). */
function normaliseScores(scores: number[], stats: PpoState["scoreStats"], config: PpoConfig): number[] {
  for (const s of scores) {
    stats.count += 1;
    const d = s - stats.mean;
    stats.mean += d / stats.count;
    stats.m2 += d * (s - stats.mean);
  }
  let out = scores;
  if (config.scoreNorm) {
    const std = Math.sqrt(stats.m2 / Math.max(1, stats.count - 1)) || 1;
    out = out.map((s) => (s - stats.mean) / (std + 1e-8));
  }
  if (config.scoreClip > 0) out = out.map((s) => Math.max(-config.scoreClip, Math.min(config.scoreClip, s)));
  return out;
}

/** Token stream of the PPO-ptx texts, each ended by end-of-text. */
function ptxStream(tokenizer: Tokenizer, texts: string[]): number[] {
  const out: number[] = [];
  for (const t of texts) out.push(...tokenizer.encode(t, { allowSpecial: true }), tokenizer.eosId);
  return out;
}

/** Per-row rollout arrays (one entry per response token). */
interface Rollout {
  seqs: EncodedPair[];
  logprobs: Float64Array[];
  refLogprobs: Float64Array[];
  values: Float64Array[];
}

/** Log-probs (and values) of the response tokens under a model, without gradients; `heartbeat` every ITEMS_PER_HEARTBEAT responses. */
async function evaluateRollout(model: GPT, seqs: EncodedPair[], padId: number, withValues: boolean, heartbeat?: Heartbeat): Promise<{ logprobs: Float64Array[]; values: Float64Array[] }> {
  const logprobs: Float64Array[] = [];
  const values: Float64Array[] = [];
  const evaluated = heartbeatEvery(heartbeat);
  for (const part of chunks(seqs, 16)) {
    const packed = packSequences(part, padId);
    const [lp, v] = tf.tidy(() => {
      const hidden = forwardPacked(model, packed);
      return [targetLogprobs(model, hidden, packed), withValues ? tokenValues(model, hidden) : tf.zeros([1])];
    });
    logprobs.push(...responseEntries(lp.dataSync(), packed));
    if (withValues) values.push(...responseEntries(v.dataSync(), packed));
    tf.dispose([lp, v]);
    await evaluated(part.length);
  }
  return { logprobs, values };
}

/**
 * One minibatch step. With a replica, PPO-ptx's term (a plain LM loss) has its gradient computed
 * on the second thread while this one takes the PPO terms': their weighted sum is the gradient of
 * the whole loss, so the update is the one-thread update (ppo.test.ts checks it).
 */
async function ppoStep(policy: GPT, optimizer: Adam, mb: PpoMinibatch, config: PpoConfig, replica: DataParallel | null): Promise<StepResult> {
  const opts = { clipNorm: config.clipNorm };
  const lossFn = (m: GPT, b: PpoMinibatch) => ppoLoss(m, b, config);
  if (!replica || !mb.ptx) return trainStep(policy, optimizer, mb, lossFn, opts);
  const remote = replica.lmGradients(mb.ptx);
  const local = lossGradients(policy, { ...mb, ptx: undefined }, lossFn, Object.keys(policy.params));
  let norm: tf.Scalar | null = null;
  try {
    const ptx = await remote;
    norm = tf.tidy(() => {
      const total = unflatten(policy, ptx.grads);
      for (const [name, g] of Object.entries(total)) total[name] = local.grads[name] ? tf.add(local.grads[name], tf.mul(g, config.ptxCoef)) : tf.mul(g, config.ptxCoef);
      return applyGradients(optimizer, total, opts);
    });
    const step = readStep(local.value, norm, local.metrics);
    return { ...step, loss: step.loss + config.ptxCoef * ptx.loss, metrics: { ...step.metrics, "loss/ptx": ptx.loss } };
  } finally {
    tf.dispose([local.value, ...Object.values(local.grads), ...Object.values(local.metrics), ...(norm ? [norm] : [])]);
  }
}

const advantageEstimators = ["gae", "rloo"] as const;
type AdvantageEstimator = (typeof advantageEstimators)[number];

/** Per-token advantages (before whitening), value targets when a value head is trained, and val/var_explained. */
interface Advantages {
  advantages: Float64Array[];
  returns: Float64Array[] | null;
  varExplained: number;
}

/** GAE per response on the value head's predictions; the value head learns the returns. */
function gaeAdvantages(rewards: Float64Array[], values: Float64Array[], config: PpoConfig): Advantages {
  const gaes = rewards.map((r, b) => gae(r, values[b], config.gamma, config.lam));
  const returns = gaes.map((g) => g.returns);
  return { advantages: gaes.map((g) => g.advantages), returns, varExplained: varianceExplained(returns.flatMap((r) => Array.from(r)), values.flatMap((v) => Array.from(v))) };
}

/**
 * RLOO: every token of a response gets its sequence reward (score + summed KL penalty) minus the
 * mean sequence reward of the other responses to its prompt. No value head is trained; the
 * variance explained is the leave-one-out baseline's, over sequence rewards.
 */
function rlooAdvantages(rewards: Float64Array[], perPrompt: number): Advantages {
  const total = rewards.map((r) => r.reduce((a, b) => a + b, 0));
  const baselines = leaveOneOutBaselines(total, perPrompt);
  return { advantages: rewards.map((r, b) => new Float64Array(r.length).fill(total[b] - baselines[b])), returns: null, varExplained: varianceExplained(total, baselines) };
}

export async function trainPpo(input: TrainPpoInput): Promise<TrainPpoResult> {
  const config: PpoConfig = { ...ppoDefaults, ...input.config };
  if (!klEstimators.includes(config.klEstimator as KlEstimator)) throw new Error(`klEstimator must be one of ${klEstimators.join(", ")}`);
  if (!input.rewardFn && !input.rewardCheckpointId) throw new Error("PPO needs a reward model (rewardCheckpointId) or a reward function");
  if (!input.prompts.length) throw new Error("PPO needs prompts");
  if (!advantageEstimators.includes(config.advantage as AdvantageEstimator)) throw new Error(`advantage must be one of ${advantageEstimators.join(", ")}`);
  // The rules startRun checks before a run is queued (lib/runs/config-rules.ts), for the CLI, a job and any other caller.
  refuseProblems(ppoConfigProblems(config));
  const perPrompt = config.samplesPerPrompt;
  const log = input.log ?? (() => {});
  const outputId = input.outputId || newCheckpointId("ppo");
  const trainingConfig = { command: "ppo", ...config, sft: input.sftCheckpointId, reward: input.rewardCheckpointId ?? "function", ...input.provenance };

  // Models: policy (+ value head) and optimizer, fresh or from the resumable state; frozen reference; reward model.
  let policy: GPT;
  let tokenizer: Tokenizer;
  let state: PpoState;
  let resumedFrom: number | null = null;
  const optimizerConfig = { lr: config.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
  let optimizer: Adam;
  if (input.resume && (await hasTrainingState(input.store, outputId))) {
    const saved = await loadTrainingState(input.store, outputId);
    policy = saved.model;
    tokenizer = saved.tokenizer;
    state = saved.state as PpoState;
    optimizer = new Adam(policy.params, optimizerConfig);
    optimizer.importState(saved.optimizer);
    resumedFrom = state.step;
    log(`resuming ${outputId} after iteration ${state.step}`);
  } else {
    const loaded = await loadModel(input.store, input.sftCheckpointId);
    policy = loaded.model;
    tokenizer = loaded.tokenizer;
    dropParams(policy, ["score."]);
    addHeads(policy, ["value"]);
    optimizer = new Adam(policy.params, optimizerConfig);
    state = { step: 0, seed: config.seed, config: trainingConfig, lossHistory: [], valLoss: null, klCoef: config.initKlCoef, scoreStats: { count: 0, mean: 0, m2: 0 }, history: [], samples: [], flags: [] };
  }
  const { model: reference } = await loadModel(input.store, input.sftCheckpointId);
  dropParams(reference, ["score.", "v_head."]);
  const rewardModel = input.rewardCheckpointId ? await loadModel(input.store, input.rewardCheckpointId) : null;
  const kl: KlController = config.adaptiveKl ? new AdaptiveKlController(state.klCoef, config.klTarget, config.klHorizon) : new FixedKlController(state.klCoef);
  const ptxTokens = config.ptxCoef > 0 && input.ptxTexts?.length ? ptxStream(tokenizer, input.ptxTexts) : null;
  const ptxT = Math.min(policy.config.contextLength - 1, 64);
  if (config.ptxCoef > 0 && (!ptxTokens || ptxTokens.length < ptxT + 2)) throw new Error("ptxCoef > 0 needs pretraining text (ptxTexts) longer than one window");
  const threads = config.threads > 0 ? config.threads : ptxTokens ? defaultThreads(backendName()) : 1;
  const ptxReplica = ptxTokens && threads > 1 ? await DataParallel.start(policy, backendName(), 2) : null;
  if (ptxReplica) log("PPO-ptx's gradient runs on a second thread");
  const maxPrompt = Math.max(1, policy.config.contextLength - config.maxNewTokens);
  const promptOrder = input.prompts.map((_, i) => i);
  const orderRng = createRng(config.seed);
  for (let i = promptOrder.length - 1; i > 0; i--) {
    const j = Math.floor(orderRng.next() * (i + 1));
    [promptOrder[i], promptOrder[j]] = [promptOrder[j], promptOrder[i]];
  }

  const saveState = async (iteration: number) => {
    state.step = iteration;
    state.klCoef = kl.value;
    await saveTrainingState(input.store, { id: outputId, model: policy, tokenizer, kind: "policy", parentId: input.sftCheckpointId, backend: backendName(), trainingConfig, metrics: state.history.at(-1) ?? {}, optimizer, state });
  };

  const started = performance.now();
  let done = state.step;
  try {
    for (let iteration = state.step + 1; iteration <= config.iterations; iteration++) {
      // 1. rollout
      const t0 = performance.now();
      // batchSize / perPrompt prompts, each repeated perPrompt times in a row (the groups RLOO compares)
      const promptsPerIteration = config.batchSize / perPrompt;
      const prompts = Array.from({ length: config.batchSize }, (_, j) => input.prompts[promptOrder[((iteration - 1) * promptsPerIteration + Math.floor(j / perPrompt)) % promptOrder.length]]);
      const promptIds = prompts.map((p) => {
        const ids = tokenizer.encode(formatPrompt(p));
        return ids.slice(Math.max(0, ids.length - maxPrompt));
      });
      // One batch (its PRNG draws tokens row after row), with a heartbeat per 64 responses' worth of tokens fed to the model.
      const decoded = heartbeatEvery(input.heartbeat, ITEMS_PER_HEARTBEAT * config.maxNewTokens);
      const gens = await generateAsync(policy, tokenizer, promptIds, { maxNewTokens: config.maxNewTokens, temperature: 1, topK: 0, topP: 1, seed: config.seed * 100_003 + iteration }, decoded);
      const seqs = promptIds.map((p, b) => truncatePair(p, gens[b].tokens.length ? gens[b].tokens : [tokenizer.eosId], policy.config.contextLength));
      const own = await evaluateRollout(policy, seqs, tokenizer.padId, config.advantage === "gae", input.heartbeat); // RLOO reads no values
      const ref = await evaluateRollout(reference, seqs, tokenizer.padId, false, input.heartbeat);
      const rollout: Rollout = { seqs, logprobs: own.logprobs, refLogprobs: ref.logprobs, values: own.values };
      const responses = gens.map((g) => parseResponse(g.text));

      // 2. score, ITEMS_PER_HEARTBEAT responses between heartbeats (scoreTexts' batches of 16 are the same as in one call)
      const rawScores: number[] = [];
      const scored = heartbeatEvery(input.heartbeat);
      for (const part of chunks(prompts.map((_, b) => b), ITEMS_PER_HEARTBEAT)) {
        rawScores.push(
          ...(input.rewardFn
            ? part.map((b) => input.rewardFn!({ prompt: prompts[b], response: responses[b], tokens: rollout.seqs[b].responseIds }))
            : scoreTexts({ model: rewardModel!.model, tokenizer: rewardModel!.tokenizer }, part.map((b) => ({ prompt: prompts[b], response: responses[b] })))),
        );
        await scored(part.length);
      }
      const penalised = rawScores.map((s, b) => (gens[b].finishReason === "eos" ? s : s - config.missingEosPenalty));
      const scores = normaliseScores(penalised, state.scoreStats, config);
      const rolloutSeconds = (performance.now() - t0) / 1000;

      // 3. KL penalty per token, the score at the last token
      const beta = kl.value;
      const klRows = rollout.logprobs.map((lp, b) => Float64Array.from(lp, (l, t) => klPerToken(l, rollout.refLogprobs[b][t], config.klEstimator as KlEstimator)));
      const nonScore = klRows.map((k) => Float64Array.from(k, (x) => -beta * x));
      const rewards = nonScore.map((ns, b) => {
        const r = ns.slice();
        r[r.length - 1] += scores[b];
        return r;
      });

      // 4. advantages per response token, whitened over every response token of the batch
      const adv = config.advantage === "rloo" ? rlooAdvantages(rewards, perPrompt) : gaeAdvantages(rewards, rollout.values, config);
      const flatAdv = adv.advantages.flatMap((a) => Array.from(a));
      const whitened = maskedWhiten(flatAdv, new Float64Array(flatAdv.length).fill(1));
      const advantages: Float64Array[] = [];
      let o = 0;
      for (const a of adv.advantages) {
        advantages.push(whitened.slice(o, o + a.length));
        o += a.length;
      }

      // 5. epochs of minibatch updates with early stopping on policy/policykl (TRL's statistic)
      const t1 = performance.now();
      const stepStats: Array<Record<string, number>> = [];
      let earlyStopped = false;
      let epochsDone = 0;
      const updateRng = createRng(config.seed * 7919 + iteration);
      epochs: for (let epoch = 0; epoch < config.ppoEpochs; epoch++) {
        const order = seqs.map((_, i) => i);
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(updateRng.next() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
        for (const rows of chunks(order, config.miniBatchSize)) {
          const packed = packSequences(rows.map((r) => seqs[r]), tokenizer.padId);
          const pick = (xs: ArrayLike<number>[]) => scatterResponse(rows.map((r) => xs[r]), packed);
          const ptx = ptxTokens
            ? randomWindows(ptxTokens, config.ptxBatchSize, ptxT, updateRng)
            : undefined;
          const value = adv.returns ? { returns: pick(adv.returns), oldValues: pick(rollout.values) } : undefined;
          const mb = { packed, oldLogprobs: pick(rollout.logprobs), advantages: pick(advantages), value, ptx };
          const res = await ppoStep(policy, optimizer, mb, config, ptxReplica);
          stepStats.push(res.metrics);
          await input.onUpdate?.();
          if (config.earlyStopping && res.metrics["policy/policykl"] > 1.5 * config.targetKl) {
            earlyStopped = true;
            break epochs;
          }
        }
        epochsDone = epoch + 1;
      }
      const updateSeconds = (performance.now() - t1) / 1000;

      // 6. the KL controller sees this batch's KL; metrics, samples and health
      const klPerResponse = klRows.map((k) => k.reduce((a, b) => a + b, 0));
      const meanKl = mean(klPerResponse);
      kl.update(meanKl, config.batchSize);
      const avg = (k: string) => mean(stepStats.map((s) => s[k] ?? 0));
      const nonScoreSum = nonScore.map((ns) => ns.reduce((a, b) => a + b, 0));
      const metrics: Record<string, number> = {
        iteration,
        "objective/kl": meanKl,
        "objective/kl_coef": beta,
        "objective/entropy": mean(rollout.logprobs.map((lp) => -lp.reduce((a, b) => a + b, 0))),
        "objective/rlhf_reward": mean(scores.map((s, b) => s + nonScoreSum[b])),
        "objective/scores": mean(rawScores),
        "objective/non_score_reward": mean(nonScoreSum),
        "policy/approxkl": avg("policy/approxkl"),
        "policy/policykl": avg("policy/policykl"),
        "policy/clipfrac": avg("policy/clipfrac"),
        "loss/policy": avg("loss/policy"),
        "loss/value": avg("loss/value"),
        "loss/ptx": avg("loss/ptx"),
        "val/var_explained": adv.varExplained,
        "val/clipfrac": avg("val/clipfrac"),
        "tokens/response_len_mean": mean(seqs.map((s) => s.responseIds.length)),
        "tokens/repeat_3gram_rate": mean(seqs.map((s) => repeatedNgramRate(s.responseIds, 3))),
        "time/rollout_s": rolloutSeconds,
        "time/update_s": updateSeconds,
        "ppo/epochs": epochsDone,
        "ppo/early_stopped": earlyStopped ? 1 : 0,
      };
      if (config.entropyCoef > 0) metrics["policy/entropy"] = avg("policy/entropy");
      state.history.push(metrics);
      state.lossHistory.push(metrics["loss/policy"]);
      const budgetMsLeft = config.maxMinutes > 0 ? config.maxMinutes * 60_000 - (performance.now() - started) : undefined;
      const budgetSpent = budgetMsLeft !== undefined && iteration < config.iterations && budgetMsLeft <= 0;
      // The last iteration stores its samples whatever sampleEvery says: a run shorter than sampleEvery would show none.
      const lastIteration = iteration === config.iterations || budgetSpent;
      if (config.sampleEvery > 0 && (iteration % config.sampleEvery === 0 || lastIteration)) {
        const samples = prompts.slice(0, config.samplesPerLog).map((prompt, b) => ({ iteration, prompt, response: responses[b], score: rawScores[b] }));
        state.samples.push(...samples);
        await input.onSamples?.(samples);
      }
      const raised = new Set(state.flags.map((f) => f.flag));
      for (const flag of healthFlags(state.history, config)) {
        if (raised.has(flag.flag)) continue;
        state.flags.push(flag);
        // A caller with onHealth reports the flag itself (the worker as a warning); otherwise it is a log line.
        if (input.onHealth) await input.onHealth(flag);
        else log(healthFlagLine(flag));
      }
      metrics["health/flags"] = state.flags.length;
      if (config.saveEvery > 0 && iteration % config.saveEvery === 0 && iteration < config.iterations) await saveState(iteration);
      await input.onIteration?.(iteration, metrics, budgetMsLeft);
      done = iteration;
      if (budgetSpent) {
        log(`stopping after iteration ${iteration} of ${config.iterations}: the ${config.maxMinutes}-minute budget is spent`);
        break;
      }
    }

    // the end: the final policy, and a resumable state at the last iteration done
    await saveState(done);
    const last = state.history.at(-1) ?? {};
    const record = await saveCheckpoint(input.store, { id: outputId, model: policy, tokenizer, kind: "policy", parentId: input.sftCheckpointId, backend: backendName(), trainingConfig, metrics: last });
    log(`saved PPO policy ${outputId} (resumable state ${resumeId(outputId)})`);
    return { record, metrics: last, history: state.history, samples: state.samples, flags: state.flags, iterations: done - (resumedFrom ?? 0), resumedFrom };
  } finally {
    await ptxReplica?.close();
    optimizer.dispose();
    disposeModel(policy);
    disposeModel(reference);
    if (rewardModel) disposeModel(rewardModel.model);
  }
}
