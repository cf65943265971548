/**
 * PPO's config: one typed defaults object, each field with its meaning. Defaults follow TRL's
 * classic PPOConfig (trl 0.4-0.11) where it has the field; differences are marked "TRL:" with
 * the reason (docs/rlhf.md has the table).
 */
import { opt, rules } from "../cli/options";
import { defaultsOf } from "../rlhf-common";

export const ppoOptions = {
  iterations: opt(100, "PPO iterations (rollout -> score -> KL -> GAE -> updates); TRL counts samples in `steps`", rules.count),
  maxMinutes: opt(0, "stop after the iteration that ends past this many minutes of training (then save as at the end); 0 = run every iteration", rules.nonNegative),
  batchSize: opt(16, "responses sampled per iteration (TRL: 256; one CPU core makes 16 a sane default); at least miniBatchSize, and a multiple of samplesPerPrompt", rules.count),
  samplesPerPrompt: opt(1, "responses sampled per prompt in an iteration, so batchSize / samplesPerPrompt prompts (TRL classic: 1; RLOO: 2-4); must divide batchSize, and be 2 or more with advantage rloo", rules.count),
  advantage: opt("gae", "advantage estimator: gae (GAE on the value head, TRL's classic PPO) or rloo (a response's sequence reward minus the mean of its prompt's other responses', no value loss; needs samplesPerPrompt >= 2)", { oneOf: ["gae", "rloo"] }),
  miniBatchSize: opt(4, "responses per gradient step (TRL: 1 in the classic config; 4 amortises the forward pass); at most batchSize", rules.count),
  ppoEpochs: opt(4, "passes over an iteration's rollouts (TRL: 4)", rules.count),
  lr: opt(1.41e-5, "AdamW learning rate (TRL: 1.41e-5)", rules.positive),
  initKlCoef: opt(0.2, "starting KL coefficient beta of the per-token penalty -beta * KL (TRL: 0.2)", rules.nonNegative),
  adaptiveKl: opt(true, "adapt beta toward klTarget with Ziegler et al.'s controller; false keeps it fixed (TRL: true)"),
  klTarget: opt(6, "target KL to the reference per response, in nats (TRL: 6)", rules.positive),
  klHorizon: opt(10000, "controller horizon in samples (TRL: 10000)", rules.positive),
  klEstimator: opt("k1", "per-token KL estimator: k1 (log p - log p_ref), k3 (unbiased, >= 0), abs, mse (TRL: kl = k1)", { oneOf: ["k1", "k3", "abs", "mse"] }),
  gamma: opt(1, "discount of GAE (TRL: 1)", rules.unit),
  lam: opt(0.95, "lambda of GAE (TRL: 0.95)", rules.unit),
  clipRange: opt(0.2, "policy ratio clip epsilon (TRL: 0.2)", rules.positive),
  clipRangeValue: opt(0.2, "value prediction clip around the rollout's values (TRL: 0.2)", rules.positive),
  vfCoef: opt(0.1, "weight of the value loss (TRL: 0.1)", rules.nonNegative),
  entropyCoef: opt(0, "weight of the entropy bonus; 0 = off (TRL classic has none)", rules.nonNegative),
  ptxCoef: opt(0, "weight of the pretraining next-token loss (PPO-ptx, InstructGPT); 0 = off or no ptx text", rules.nonNegative),
  ptxBatchSize: opt(4, "rows of pretraining text per gradient step for PPO-ptx", rules.count),
  threads: opt(0, "2 computes PPO-ptx's gradient on a second thread beside the PPO terms (the same update); 0 = 2 on wasm and cpu when ptxCoef > 0, else 1", { int: true, min: 0, max: 2 }),
  earlyStopping: opt(true, "stop an iteration's epochs when a minibatch's policy/policykl (mean old - new log-prob per token, TRL's statistic) > 1.5 * targetKl (TRL: false; the issue asks for it)"),
  targetKl: opt(1, "KL threshold for early stopping, per token, compared with policy/policykl (TRL: 1)", rules.positive),
  scoreNorm: opt(false, "normalise scores by the running mean and std of all scores so far (TRL use_score_scaling+norm)"),
  scoreClip: opt(0, "clip (normalised) scores to [-scoreClip, scoreClip]; 0 = off (TRL score_clip: None)", rules.nonNegative),
  missingEosPenalty: opt(0, "subtracted from the score of a response cut at maxNewTokens without end-of-text; 0 = off (TRL's newer missing_eos_penalty)", rules.nonNegative),
  maxNewTokens: opt(24, "most tokens per sampled response (TRL leaves this to generation kwargs)", rules.count),
  clipNorm: opt(1, "clip the global gradient norm to this; 0 = off (TRL max_grad_norm: None; on for tiny models' stability)", rules.nonNegative),
  saveEvery: opt(10, "iterations between resumable checkpoints; 0 = only at the end", rules.natural),
  sampleEvery: opt(5, "iterations between stored sample generations, and the last iteration's; 0 = never", rules.natural),
  samplesPerLog: opt(4, "generations (prompt, response, score) stored each time", rules.count),
  seed: opt(0, "seed of prompt order and sampling", rules.natural),
  klHighMultiple: opt(3, "health flag when objective/kl exceeds this multiple of klTarget", rules.positive),
  healthWindow: opt(5, "iterations a health trend is judged over (value not learning, reward/length trends)", rules.count),
};
export type PpoConfig = typeof ppoDefaults;
export const ppoDefaults = defaultsOf(ppoOptions);
