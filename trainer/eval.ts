/**
 * Evaluation of a policy A against a baseline B (usually PPO vs SFT) on held-out prompts, several
 * samples per prompt: win rate of A over B judged by the reward model, mean scores with their
 * standard errors, KL(A || B) per response, held-out perplexity of both on a text corpus,
 * distinct-2, mean length, and best-of-n sampling from B (n = 4, 16) as reference lines. Shared by
 * `npm run trainer -- eval` and callers that store the result with a run.
 */
import { bestOfNProblem } from "@/lib/runs/config-rules";
import type { CheckpointStore } from "./checkpoint";
import { opt, rules } from "./cli/options";
import { generate } from "./generate";
import { disposeModel, type GPT } from "./model";
import { formatPrompt, parseResponse, type PromptInput } from "./prompt-format";
import { defaultsOf, loadModel } from "./rlhf-common";
import { distinctN, maskedVar, mean } from "./rl-math";
import { scoreTexts } from "./score";
import { type Heartbeat, heartbeatEvery, ITEMS_PER_HEARTBEAT } from "./heartbeat";
import { chunks, type EncodedPair, scoreLogprobs, truncatePair } from "./sequences";
import type { Tokenizer } from "./tokenizer";
import { batchNll } from "./lm-data";
import { lmBatchFromStream } from "./train";

export const evalOptions = {
  maxNewTokens: opt(24, "most tokens per sampled response", rules.count),
  samples: opt(4, "responses sampled per prompt from A and from B: means, win rate, KL, distinct-2 and length use them all", rules.count),
  bestOfN: opt(["4", "16"] as string[], "best-of-n reference lines sampled from the baseline: counts, whole numbers of at least 2, each once; repeat the flag for more"),
  seed: opt(0, "sampling seed", rules.natural),
  maxPrompts: opt(0, "use at most this many prompts; 0 = all", rules.natural),
  textTokens: opt(16384, "most held-out text tokens used for perplexity (from the start of the text)", rules.natural),
};
type EvalConfig = typeof evalDefaults;
const evalDefaults = defaultsOf(evalOptions);

/** Mean next-token loss (nats per token) over non-overlapping windows of a text corpus; `heartbeat` every ITEMS_PER_HEARTBEAT windows. */
export async function heldOutLoss(model: GPT, tokenizer: Tokenizer, texts: string[], windowTokens = 0, maxTokens = Infinity, heartbeat?: Heartbeat): Promise<number> {
  const stream: number[] = [];
  for (const t of texts) {
    if (stream.length >= maxTokens) break;
    stream.push(...tokenizer.encode(t, { allowSpecial: true }), tokenizer.eosId);
  }
  stream.length = Math.min(stream.length, maxTokens);
  const T = Math.min(windowTokens || model.config.contextLength - 1, model.config.contextLength - 1, stream.length - 1);
  if (T < 1) throw new Error("held-out text is too short to evaluate");
  const offsets: number[] = [];
  for (let o = 0; o + T + 1 <= stream.length; o += T) offsets.push(o);
  // Without dropout: a checkpoint imported from GPT-2 has dropout 0.1, which would make a
  // measurement depend on the mask.
  const evaluated = heartbeatEvery(heartbeat);
  let sum = 0;
  let n = 0;
  for (const part of chunks(offsets, 16)) {
    const nll = batchNll(model, lmBatchFromStream(stream, part, T));
    sum += nll.sum;
    n += nll.weight;
    await evaluated(part.length);
  }
  return sum / n;
}

/**
 * `work` on ITEMS_PER_HEARTBEAT items at a time, awaiting `heartbeat` between: the batches
 * scoreTexts and scoreLogprobs make (16 items) are the ones a single call would.
 */
async function inParts<T, R>(items: T[], work: (part: T[]) => R[], heartbeat?: Heartbeat): Promise<R[]> {
  const done = heartbeatEvery(heartbeat);
  const out: R[] = [];
  for (const part of chunks(items, ITEMS_PER_HEARTBEAT)) {
    out.push(...work(part));
    await done(part.length);
  }
  return out;
}

interface Sampled {
  seqs: EncodedPair[];
  responses: string[];
}

/**
 * One response per prompt (repeat a prompt to sample it several times), at temperature 1 with
 * nothing filtered, 64 prompts at a time; `afterChunk` is awaited after each 64 with how many
 * were sampled, so a job can heartbeat and report progress between them.
 */
export async function sampleResponses(
  model: GPT,
  tokenizer: Tokenizer,
  prompts: PromptInput[],
  maxNewTokens: number,
  seed: number,
  afterChunk?: (sampled: number) => Promise<void>,
): Promise<Sampled> {
  const maxPrompt = Math.max(1, model.config.contextLength - maxNewTokens);
  const seqs: EncodedPair[] = [];
  const responses: string[] = [];
  for (const [c, part] of chunks(prompts, 64).entries()) {
    const ids = part.map((p) => tokenizer.encode(formatPrompt(p)).slice(-maxPrompt));
    const gens = generate(model, tokenizer, ids, { maxNewTokens, temperature: 1, topK: 0, topP: 1, seed: seed * 1009 + c });
    gens.forEach((g, b) => {
      seqs.push(truncatePair(ids[b], g.tokens.length ? g.tokens : [tokenizer.eosId], model.config.contextLength));
      responses.push(parseResponse(g.text));
    });
    await afterChunk?.(part.length);
  }
  return { seqs, responses };
}

/** Each prompt repeated n times in a row, so sample i * n + j is prompt i's j-th. */
const repeatEach = <T>(xs: T[], n: number): T[] => xs.flatMap((x) => Array.from({ length: n }, () => x));

/** Consecutive whole groups of n (a shorter last group is dropped). */
const groupsOf = <T>(xs: T[], n: number): T[][] => chunks(xs, n).filter((g) => g.length === n);

/**
 * Share of (a, b) pairs within a prompt where a scores above b, ties half, over every pair of
 * the prompt's samples and then over prompts.
 */
export function pairedWinRate(a: number[][], b: number[][]): number {
  return mean(a.map((as, i) => mean(as.flatMap((x) => b[i].map((y) => (x > y ? 1 : x === y ? 0.5 : 0))))));
}

/**
 * Indices of best-of-n picks from `perPrompt` samples of each prompt (laid out prompt by prompt):
 * the best of each disjoint group of n, so floor(perPrompt / n) picks per prompt.
 */
export function bestOfGroups(scores: number[], perPrompt: number, n: number): number[][] {
  return groupsOf(scores.map((_, i) => i), perPrompt).map((idx) => groupsOf(idx, n).map((g) => g.reduce((best, k) => (scores[k] > scores[best] ? k : best))));
}

/** A policy over each prompt's pool of samples from B: its mean score and its KL to the pool per response, both averaged over prompts. */
export interface PoolPolicy {
  meanScore: number;
  kl: number;
}

/** Mean over prompts of the score and of KL(p || uniform) for per-prompt distributions p over each pool. */
function poolPolicy(scores: number[][], probs: (rs: number[]) => number[]): PoolPolicy {
  let score = 0;
  let kl = 0;
  for (const rs of scores) {
    probs(rs).forEach((p, j) => {
      score += p * rs[j];
      if (p > 0) kl += p * Math.log(rs.length * p);
    });
  }
  return { meanScore: score / scores.length, kl: kl / scores.length };
}

/**
 * The KL-regularised optimum pi(y|x) ~ B(y|x) exp(r(x, y) / beta), with each prompt's samples from
 * B standing in for B (weight 1 / m each): the best mean score any policy can reach at its KL, as
 * far as m samples per prompt can tell.
 */
export function tiltedPool(scores: number[][], beta: number): PoolPolicy {
  return poolPolicy(scores, (rs) => {
    const top = Math.max(...rs);
    const w = rs.map((r) => Math.exp((r - top) / beta));
    const z = w.reduce((s, x) => s + x, 0);
    return w.map((x) => x / z);
  });
}

/** The most KL a tilt of these pools can have: as beta falls to 0 it spreads over each pool's top score (ties included). */
export function mostTiltKl(scores: number[][]): number {
  return mean(
    scores.map((rs) => {
      const top = Math.max(...rs);
      return Math.log(rs.length / rs.filter((r) => r === top).length);
    }),
  );
}

/** The tilt of `tiltedPool` whose KL is `kl` nats, by bisection on log beta (KL falls as beta grows). */
export function tiltAtKl(scores: number[][], kl: number): PoolPolicy & { beta: number } {
  const most = mostTiltKl(scores);
  if (!(kl > 0 && kl < most)) throw new Error(`a tilt of these pools has a KL between 0 and ${most.toFixed(3)}, not ${kl}`);
  let lo = -20; // log beta: a tiny beta is nearly the argmax (KL near log m), a large one nearly B (KL near 0)
  let hi = 20;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (tiltedPool(scores, Math.exp(mid)).kl > kl) lo = mid;
    else hi = mid;
  }
  const beta = Math.exp((lo + hi) / 2);
  return { beta, ...tiltedPool(scores, beta) };
}

/**
 * Best-of-n drawn with replacement from each prompt's pool: the sample ranked k-th lowest of m is
 * the best of n draws with probability (k / m)^n - ((k - 1) / m)^n. Scores and KL on the same
 * footing as `tiltedPool` (KL tends to log n - (n - 1) / n as m grows).
 */
export function bestOfNOnPool(scores: number[][], n: number): PoolPolicy {
  return poolPolicy(scores, (rs) => {
    const m = rs.length;
    const rank = rs.map((_, j) => j).sort((x, y) => rs[x] - rs[y]);
    const p = new Array<number>(m);
    rank.forEach((j, k) => (p[j] = ((k + 1) / m) ** n - (k / m) ** n));
    return p;
  });
}

/** Standard error of the mean score, over prompts (a prompt's samples are not independent of each other). */
function stdErrOverPrompts(groups: number[][]): number {
  const means = groups.map(mean);
  return means.length < 2 ? 0 : Math.sqrt(maskedVar(means, new Array<number>(means.length).fill(1)) / means.length);
}

export interface EvalRow {
  name: string;
  meanScore: number;
  /** Standard error of meanScore over prompts. */
  scoreStdErr: number;
  /** Share of (this line's response, the baseline's sample) pairs of a prompt where this line's scores higher (ties count half), over prompts. */
  winRateVsBaseline: number;
  /** KL to the baseline per response in nats; for best-of-n the analytic log n - (n - 1) / n. */
  klToBaseline: number;
  perplexity: number | null;
  distinct2: number;
  meanLength: number;
}

/** The KL-optimal policy at A's KL (`tiltAtKl` on the best-of-n pool of B): how close A came to the best possible. */
interface OptimumAtPolicyKl {
  kl: number;
  meanScore: number;
  beta: number;
  samplesPerPrompt: number;
  /** The pool's mean score: B's, from the pool. */
  poolMeanScore: number;
  /** A's gain over B as a share of the optimum's. */
  shareOfGain: number;
}

export interface EvalResult {
  rows: EvalRow[];
  /** Absent without a best-of-n pool, or when A's KL is not between 0 and `mostTiltKl` of the pool (log of its size, less for tied top scores). */
  optimum: OptimumAtPolicyKl | null;
  /** The rows as a table, then the optimum's line when there is one. */
  table: string;
  prompts: number;
  config: EvalConfig;
}

export function formatEvalTable(rows: EvalRow[]): string {
  const head = ["", "mean score", "± se", "win vs B", "KL to B", "perplexity", "distinct-2", "mean len"];
  const body = rows.map((r) => [r.name, r.meanScore.toFixed(3), r.scoreStdErr.toFixed(3), `${(100 * r.winRateVsBaseline).toFixed(1)}%`, r.klToBaseline.toFixed(3), r.perplexity === null ? "-" : r.perplexity.toFixed(2), r.distinct2.toFixed(3), r.meanLength.toFixed(1)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  return [line(head), ...body.map(line)].join("\n");
}

// The optimum's gain is measured against the mean of its own pool of B's samples, not B's row:
// with few prompts the two differ, and the line without the pool's mean read as a contradiction
// (optimum 0.230, B 0.217, A 0.229, yet "A has 7% of its gain": the pool's mean was 0.063).
export const formatOptimum = (o: OptimumAtPolicyKl) =>
  `KL-optimal policy at A's KL (${o.kl.toFixed(3)}), from ${o.samplesPerPrompt} samples of B per prompt: mean score ${o.meanScore.toFixed(3)} against ${o.poolMeanScore.toFixed(3)} for those samples; A has ${(100 * o.shareOfGain).toFixed(0)}% of its gain over B`;

export interface EvaluateInput {
  store: CheckpointStore;
  policyId: string;
  baselineId: string;
  rewardId: string;
  prompts: PromptInput[];
  /** Held-out corpus for perplexity; absent: no perplexity column. */
  texts?: string[];
  config?: Partial<EvalConfig>;
  log?: (line: string) => void;
  /**
   * Awaited after every 64 responses sampled (most of an eval's time), with those sampled so far
   * and the total (A's, B's and the best-of-n pool's). A worker job heartbeats here and reports
   * progress; its cancel throws from here.
   */
  onProgress?: (done: number, total: number) => Promise<void>;
  /** Awaited every ITEMS_PER_HEARTBEAT responses scored and windows of perplexity, the passes between samplings (a cancel throws from here). */
  heartbeat?: Heartbeat;
}

export async function evaluatePolicies(input: EvaluateInput): Promise<EvalResult> {
  const config: EvalConfig = { ...evalDefaults, ...input.config };
  const prompts = config.maxPrompts > 0 ? input.prompts.slice(0, config.maxPrompts) : input.prompts;
  if (!prompts.length) throw new Error("eval needs prompts");
  // The rule startRun checks before a run is queued (lib/runs/config-rules.ts), for the CLI, a job and any other caller, before a model loads.
  const badN = bestOfNProblem(config.bestOfN);
  if (badN) throw new Error(badN);
  const log = input.log ?? (() => {});
  const a = await loadModel(input.store, input.policyId);
  const b = await loadModel(input.store, input.baselineId);
  const rm = await loadModel(input.store, input.rewardId);
  try {
    const score = (responses: string[], ps: PromptInput[]) => inParts(ps.map((p, i) => ({ prompt: p, response: responses[i] })), (part) => scoreTexts({ model: rm.model, tokenizer: rm.tokenizer }, part), input.heartbeat);
    const row = (name: string, s: Sampled, scores: number[][], baseScores: number[][], kl: number, ppl: number | null): EvalRow => ({
      name,
      meanScore: mean(scores.flat()),
      scoreStdErr: stdErrOverPrompts(scores),
      winRateVsBaseline: pairedWinRate(scores, baseScores),
      klToBaseline: kl,
      perplexity: ppl,
      distinct2: distinctN(s.responses),
      meanLength: mean(s.seqs.map((q) => q.responseIds.length)),
    });
    const k = config.samples;
    if (!Number.isInteger(k) || k < 1) throw new Error(`samples must be a whole number of at least 1, not ${k}`);
    const ns = config.bestOfN.map(Number);
    const pool = ns.length ? Math.max(...ns) : 0;
    const total = prompts.length * (2 * k + pool);
    let sampled = 0;
    const progress = async (n: number) => {
      sampled += n;
      await input.onProgress?.(sampled, total);
    };
    log(`sampling ${k} responses to each of ${prompts.length} prompts from A and B`);
    const repeated = repeatEach(prompts, k);
    const sa = await sampleResponses(a.model, a.tokenizer, repeated, config.maxNewTokens, config.seed + 1, progress);
    const sb = await sampleResponses(b.model, b.tokenizer, repeated, config.maxNewTokens, config.seed + 2, progress);
    const scoreA = groupsOf(await score(sa.responses, repeated), k);
    const scoreB = groupsOf(await score(sb.responses, repeated), k);
    // KL(A || B) per response: E_{y ~ A} [log A(y|x) - log B(y|x)], on A's own samples
    const lpA = await inParts(sa.seqs, (part) => scoreLogprobs(a.model, part, a.tokenizer.padId), input.heartbeat);
    const lpB = await inParts(sa.seqs, (part) => scoreLogprobs(b.model, part, b.tokenizer.padId), input.heartbeat);
    const klAB = mean(lpA.map((x, i) => x - lpB[i]));
    const ppl = async (m: GPT, t: Tokenizer) => (input.texts?.length ? Math.exp(await heldOutLoss(m, t, input.texts, 0, config.textTokens, input.heartbeat)) : null);
    const rows: EvalRow[] = [row(`A ${input.policyId}`, sa, scoreA, scoreB, klAB, await ppl(a.model, a.tokenizer)), row(`B ${input.baselineId}`, sb, scoreB, scoreB, 0, await ppl(b.model, b.tokenizer))];
    // One pool of samples from B serves every n: each line keeps the best of each disjoint group of n.
    let optimum: OptimumAtPolicyKl | null = null;
    if (ns.length) {
      log(`best-of-${ns.join(", ")} from ${pool} samples of B per prompt`);
      const many = await sampleResponses(b.model, b.tokenizer, repeatEach(prompts, pool), config.maxNewTokens, config.seed + 100, progress);
      const scores = await score(many.responses, repeatEach(prompts, pool));
      for (const n of ns) {
        const picks = bestOfGroups(scores, pool, n);
        const flat = picks.flat();
        const picked: Sampled = { seqs: flat.map((i) => many.seqs[i]), responses: flat.map((i) => many.responses[i]) };
        rows.push(row(`best-of-${n} B`, picked, picks.map((g) => g.map((i) => scores[i])), scoreB, Math.log(n) - (n - 1) / n, null));
      }
      const pools = groupsOf(scores, pool);
      if (klAB > 0 && klAB < mostTiltKl(pools)) {
        const tilt = tiltAtKl(pools, klAB);
        const poolMeanScore = mean(pools.flat());
        const shareOfGain = (rows[0].meanScore - rows[1].meanScore) / (tilt.meanScore - poolMeanScore);
        optimum = { kl: klAB, meanScore: tilt.meanScore, beta: tilt.beta, samplesPerPrompt: pool, poolMeanScore, shareOfGain };
      }
    }
    const table = formatEvalTable(rows) + (optimum ? `\n${formatOptimum(optimum)}` : "");
    return { rows, optimum, table, prompts: prompts.length, config };
  } finally {
    for (const m of [a, b, rm]) disposeModel(m.model);
  }
}
