/**
 * Evaluation of a policy A against a baseline B (usually PPO vs SFT) on held-out prompts:
 * win rate of A over B judged by the reward model, mean scores, KL(A || B) per response, held-out
 * perplexity of both on a text corpus, distinct-2, mean length, and best-of-n sampling from B
 * (n = 4, 16) as reference lines. Shared by `npm run trainer -- eval` and callers that store the
 * result with a run.
 */
import * as tf from "@tensorflow/tfjs";
import type { CheckpointStore } from "./checkpoint";
import { opt } from "./cli/options";
import { generate } from "./generate";
import { disposeModel, type GPT } from "./model";
import { formatPrompt, parseResponse, type PromptInput } from "./prompt-format";
import { defaultsOf, loadModel } from "./rlhf-common";
import { distinctN, mean } from "./rl-math";
import { scoreTexts } from "./score";
import { chunks, type EncodedPair, scoreLogprobs, truncatePair } from "./sequences";
import type { Tokenizer } from "./tokenizer";
import { lmBatchFromStream, lmLoss } from "./train";

export const evalOptions = {
  maxNewTokens: opt(24, "most tokens per sampled response"),
  bestOfN: opt(["4", "16"] as string[], "best-of-n reference lines sampled from the baseline; repeat the flag"),
  seed: opt(0, "sampling seed"),
  maxPrompts: opt(0, "use at most this many prompts; 0 = all"),
  textTokens: opt(16384, "most held-out text tokens used for perplexity (from the start of the text)"),
};
export type EvalConfig = typeof evalDefaults;
export const evalDefaults = defaultsOf(evalOptions);

/** Mean next-token loss (nats per token) over non-overlapping windows of a text corpus. */
export function heldOutLoss(model: GPT, tokenizer: Tokenizer, texts: string[], windowTokens = 0, maxTokens = Infinity): number {
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
  let sum = 0;
  for (const part of chunks(offsets, 16)) {
    const loss = tf.tidy(() => lmLoss(model, { ...lmBatchFromStream(stream, part, T) }).loss.dataSync()[0]);
    sum += loss * part.length;
  }
  return sum / offsets.length;
}

interface Sampled {
  seqs: EncodedPair[];
  responses: string[];
}

function sample(model: GPT, tokenizer: Tokenizer, prompts: PromptInput[], maxNewTokens: number, seed: number): Sampled {
  const maxPrompt = Math.max(1, model.config.contextLength - maxNewTokens);
  const seqs: EncodedPair[] = [];
  const responses: string[] = [];
  chunks(prompts, 16).forEach((part, c) => {
    const ids = part.map((p) => tokenizer.encode(formatPrompt(p)).slice(-maxPrompt));
    const gens = generate(model, tokenizer, ids, { maxNewTokens, temperature: 1, topK: 0, topP: 1, seed: seed * 1009 + c });
    gens.forEach((g, b) => {
      seqs.push(truncatePair(ids[b], g.tokens.length ? g.tokens : [tokenizer.eosId], model.config.contextLength));
      responses.push(parseResponse(g.text));
    });
  });
  return { seqs, responses };
}

export interface EvalRow {
  name: string;
  meanScore: number;
  /** Share of prompts where this line's response scores above the baseline's sample (ties count half). */
  winRateVsBaseline: number;
  /** KL to the baseline per response in nats; for best-of-n the analytic log n - (n - 1) / n. */
  klToBaseline: number;
  perplexity: number | null;
  distinct2: number;
  meanLength: number;
}

export interface EvalResult {
  rows: EvalRow[];
  table: string;
  prompts: number;
  config: EvalConfig;
}

export function formatEvalTable(rows: EvalRow[]): string {
  const head = ["", "mean score", "win vs B", "KL to B", "perplexity", "distinct-2", "mean len"];
  const body = rows.map((r) => [r.name, r.meanScore.toFixed(3), `${(100 * r.winRateVsBaseline).toFixed(1)}%`, r.klToBaseline.toFixed(3), r.perplexity === null ? "-" : r.perplexity.toFixed(2), r.distinct2.toFixed(3), r.meanLength.toFixed(1)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  return [line(head), ...body.map(line)].join("\n");
}

const winRate = (a: number[], b: number[]) => mean(a.map((x, i) => (x > b[i] ? 1 : x === b[i] ? 0.5 : 0)));

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
}

export async function evaluatePolicies(input: EvaluateInput): Promise<EvalResult> {
  const config: EvalConfig = { ...evalDefaults, ...input.config };
  const prompts = config.maxPrompts > 0 ? input.prompts.slice(0, config.maxPrompts) : input.prompts;
  if (!prompts.length) throw new Error("eval needs prompts");
  const log = input.log ?? (() => {});
  const a = await loadModel(input.store, input.policyId);
  const b = await loadModel(input.store, input.baselineId);
  const rm = await loadModel(input.store, input.rewardId);
  try {
    const score = (responses: string[], ps: PromptInput[]) => scoreTexts({ model: rm.model, tokenizer: rm.tokenizer }, ps.map((p, i) => ({ prompt: p, response: responses[i] })));
    const row = (name: string, s: Sampled, scores: number[], baseScores: number[], kl: number, ppl: number | null): EvalRow => ({
      name,
      meanScore: mean(scores),
      winRateVsBaseline: winRate(scores, baseScores),
      klToBaseline: kl,
      perplexity: ppl,
      distinct2: distinctN(s.responses),
      meanLength: mean(s.seqs.map((q) => q.responseIds.length)),
    });
    log(`sampling ${prompts.length} prompts from A and B`);
    const sa = sample(a.model, a.tokenizer, prompts, config.maxNewTokens, config.seed + 1);
    const sb = sample(b.model, b.tokenizer, prompts, config.maxNewTokens, config.seed + 2);
    const scoreA = score(sa.responses, prompts);
    const scoreB = score(sb.responses, prompts);
    // KL(A || B) per response: E_{y ~ A} [log A(y|x) - log B(y|x)], on A's own samples
    const lpA = scoreLogprobs(a.model, sa.seqs, a.tokenizer.padId);
    const lpB = scoreLogprobs(b.model, sa.seqs, b.tokenizer.padId);
    const klAB = mean(lpA.map((x, i) => x - lpB[i]));
    const ppl = (m: GPT, t: Tokenizer) => (input.texts?.length ? Math.exp(heldOutLoss(m, t, input.texts, 0, config.textTokens)) : null);
    const rows: EvalRow[] = [row(`A ${input.policyId}`, sa, scoreA, scoreB, klAB, ppl(a.model, a.tokenizer)), row(`B ${input.baselineId}`, sb, scoreB, scoreB, 0, ppl(b.model, b.tokenizer))];
    for (const n of config.bestOfN.map(Number).filter((n) => n > 1)) {
      log(`best-of-${n} from B`);
      const many = sample(b.model, b.tokenizer, prompts.flatMap((p) => Array.from({ length: n }, () => p)), config.maxNewTokens, config.seed + 100 + n);
      const scores = score(many.responses, prompts.flatMap((p) => Array.from({ length: n }, () => p)));
      const best = prompts.map((_, i) => {
        let k = i * n;
        for (let j = i * n; j < (i + 1) * n; j++) if (scores[j] > scores[k]) k = j;
        return k;
      });
      const picked: Sampled = { seqs: best.map((k) => many.seqs[k]), responses: best.map((k) => many.responses[k]) };
      rows.push(row(`best-of-${n} B`, picked, best.map((k) => scores[k]), scoreB, Math.log(n) - (n - 1) / n, null));
    }
    return { rows, table: formatEvalTable(rows), prompts: prompts.length, config };
  } finally {
    for (const m of [a, b, rm]) disposeModel(m.model);
  }
}
