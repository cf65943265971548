/**
 * Batched sampling with a KV cache: temperature, top-k, top-p, stop sequences, seeded.
 * Prompts are left-padded so every row's next token is in the last column.
 */
import * as tf from "@tensorflow/tfjs";
import { forward, type GPT, type KvCache, lmLogits } from "./model";
import { createRng, type Rng } from "./rng";
import type { Tokenizer } from "./tokenizer";

export interface GenerateOptions {
  /** Most tokens to add per prompt. */
  maxNewTokens: number;
  /** Softmax temperature; 0 means greedy (argmax). */
  temperature: number;
  /** Keep only the k most likely tokens; 0 keeps all. */
  topK: number;
  /** Keep the smallest set of tokens whose probability reaches p; 1 keeps all. */
  topP: number;
  /** Stop a row when its text contains one of these (the text is cut before it). */
  stop: string[];
  /** Seed of the sampling PRNG: same seed, same samples. */
  seed: number;
  /** Reuse past keys/values (true) or recompute the whole sequence each step (for checking). */
  useCache: boolean;
}

const defaultGenerateOptions: GenerateOptions = { maxNewTokens: 64, temperature: 1, topK: 0, topP: 1, stop: [], seed: 0, useCache: true };

export interface Generation {
  /** New token ids, the end-of-text token included when it was sampled. */
  tokens: number[];
  /** log p(token) under softmax(logits / temperature) (temperature 1 when greedy), one per token. */
  logprobs: number[];
  text: string;
  finishReason: "eos" | "stop" | "length";
}

/**
 * The tokens top-k and then top-p keep from a distribution, most likely first (ties in
 * vocabulary order): the k most likely, then the shortest prefix of them whose mass reaches p.
 * Under top-p, tokens below (1 - topP) / V hold less than 1 - topP together, so the kept set
 * lies among the others: only they are sorted.
 */
export function keptTokens(probs: Float64Array, topK: number, topP: number): number[] {
  const floor = topP < 1 ? (1 - topP) / probs.length : 0;
  const candidates: number[] = [];
  for (let i = 0; i < probs.length; i++) if (probs[i] >= floor) candidates.push(i);
  let order = candidates.sort((a, b) => probs[b] - probs[a]);
  if (topK > 0) order = order.slice(0, topK);
  if (topP >= 1) return order;
  let acc = 0;
  const kept: number[] = [];
  for (const t of order) {
    kept.push(t);
    acc += probs[t];
    if (acc >= topP) break;
  }
  return kept;
}

/**
 * Picks a token from one row of logits; returns it and its log-probability.
 * Unfiltered sampling (no top-k, top-p 1) draws by inverse CDF in vocabulary order, with no sort:
 * sorting the vocabulary per token cost more than the model's forward step.
 */
export function sampleToken(logits: Float32Array, opts: Pick<GenerateOptions, "temperature" | "topK" | "topP">, rng: Rng): { token: number; logprob: number } {
  const temp = opts.temperature > 0 ? opts.temperature : 1;
  const V = logits.length;
  let max = -Infinity;
  let best = 0;
  for (let i = 0; i < V; i++) {
    if (logits[i] > max) {
      max = logits[i];
      best = i;
    }
  }
  const probs = new Float64Array(V);
  let sum = 0;
  for (let i = 0; i < V; i++) {
    const e = Math.exp((logits[i] - max) / temp);
    probs[i] = e;
    sum += e;
  }
  // NaN or all -Infinity: weights that diverged. Drawing from that would only hide it.
  if (!Number.isFinite(sum)) throw new Error("cannot sample: the model's logits are not finite (NaN or all -Infinity); its weights may have diverged");
  for (let i = 0; i < V; i++) probs[i] /= sum;
  const pick = (t: number) => ({ token: t, logprob: Math.log(probs[t]) });
  if (opts.temperature <= 0) return pick(best);
  // Two inverse-CDF walks, not one shared: a walk over an optional index list measured ~25% slower here.
  if (opts.topK <= 0 && opts.topP >= 1) {
    let u = rng.next();
    let last = best;
    for (let i = 0; i < V; i++) {
      const p = probs[i];
      if (p <= 0) continue;
      if (u < p) return pick(i);
      u -= p;
      last = i;
    }
    return pick(last); // u outran the rounded total
  }
  const order = keptTokens(probs, opts.topK, opts.topP);
  const total = order.reduce((s, t) => s + probs[t], 0);
  let u = rng.next() * total;
  for (const t of order) {
    u -= probs[t];
    if (u <= 0) return pick(t);
  }
  return pick(order[order.length - 1]);
}

/** Logits of each row's last position for the given new tokens; returns the grown cache too. */
function step(model: GPT, ids: number[][], mask: number[][], cache: KvCache | undefined): { logits: Float32Array[]; cache: KvCache } {
  const B = ids.length;
  const T = ids[0].length;
  const out = tf.tidy(() => {
    const { hidden, cache: next } = forward(model, { ids: tf.tensor2d(ids, [B, T], "int32"), attentionMask: mask, cache });
    const lastRows = tf.tensor1d(Array.from({ length: B }, (_, b) => b * T + T - 1), "int32");
    return { logits: lmLogits(model, tf.gather(hidden, lastRows) as tf.Tensor2D), keys: next.keys, values: next.values };
  });
  const flat = out.logits.dataSync() as Float32Array;
  out.logits.dispose();
  const V = model.config.vocabSize;
  return { logits: Array.from({ length: B }, (_, b) => flat.subarray(b * V, (b + 1) * V)), cache: { keys: out.keys, values: out.values } };
}

const disposeCache = (c: KvCache | undefined) => c && tf.dispose([...c.keys, ...c.values]);

export function generate(model: GPT, tokenizer: Tokenizer, prompts: Array<string | number[]>, options: Partial<GenerateOptions> = {}): Generation[] {
  const steps = decodeSteps(model, tokenizer, prompts, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * `generate`, awaiting `afterStep` with the tokens fed to the model after every decode step (and
 * every PREFILL_ROWS rows of the first), so a job can heartbeat (or be cancelled) inside a big
 * batch: the samples are `generate`'s, since the batch and its PRNG are the same.
 */
export async function generateAsync(
  model: GPT,
  tokenizer: Tokenizer,
  prompts: Array<string | number[]>,
  options: Partial<GenerateOptions>,
  afterStep: (tokens: number) => Promise<void>,
): Promise<Generation[]> {
  const steps = decodeSteps(model, tokenizer, prompts, options);
  try {
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
      await afterStep(next.value);
    }
  } finally {
    steps.return([]); // frees the KV cache when afterStep threw
  }
}

/**
 * Rows of the first step (each prompt's every token) fed to the model at once: 2,048 PPO prompts
 * took 11-16 s in one pass on demo-sft/wasm. Each row's keys, values and logits are the ones the
 * whole batch's pass makes (generate.test.ts checks), so the samples do not depend on it.
 */
const PREFILL_ROWS = 64;

/** The first step of a cached decode, PREFILL_ROWS rows at a time; yields the tokens of each part. */
function* prefill(model: GPT, ids: number[][], mask: number[][]): Generator<number, { logits: Float32Array[]; cache: KvCache }> {
  const parts: Array<{ logits: Float32Array[]; cache: KvCache }> = [];
  try {
    for (let i = 0; i < ids.length; i += PREFILL_ROWS) {
      parts.push(step(model, ids.slice(i, i + PREFILL_ROWS), mask.slice(i, i + PREFILL_ROWS), undefined));
      yield parts.at(-1)!.logits.length * ids[0].length;
    }
    const layers = parts[0].cache.keys.length;
    const concat = (pick: (c: KvCache) => tf.Tensor3D[]) => Array.from({ length: layers }, (_, l) => tf.concat(parts.map((p) => pick(p.cache)[l]), 0)); // [B*H, L, D]
    return { logits: parts.flatMap((p) => p.logits), cache: { keys: concat((c) => c.keys), values: concat((c) => c.values) } };
  } finally {
    for (const p of parts) disposeCache(p.cache);
  }
}

/** The decode loop; yields the tokens fed to the model as it goes and returns the generations. */
function* decodeSteps(model: GPT, tokenizer: Tokenizer, prompts: Array<string | number[]>, options: Partial<GenerateOptions>): Generator<number, Generation[]> {
  const opts = { ...defaultGenerateOptions, ...options };
  const rng = createRng(opts.seed);
  const promptIds = prompts.map((p) => (typeof p === "string" ? tokenizer.encode(p) : p));
  const L = Math.max(1, ...promptIds.map((p) => p.length));
  const pad = tokenizer.padId;
  // Left padding; an empty prompt starts from end-of-text as GPT-2 does.
  const rows = promptIds.map((p) => (p.length ? p : [tokenizer.eosId]));
  const seqs = rows.map((p) => [...new Array<number>(L - p.length).fill(pad), ...p]);
  const mask = rows.map((p) => [...new Array<number>(L - p.length).fill(0), ...new Array<number>(p.length).fill(1)]);
  const results: Generation[] = rows.map(() => ({ tokens: [], logprobs: [], text: "", finishReason: "length" }));
  const done = rows.map(() => false);
  const budget = Math.min(opts.maxNewTokens, model.config.contextLength - L);
  let cache: KvCache | undefined;
  let feed = seqs;
  try {
    for (let n = 0; n < budget && done.includes(false); n++) {
      const ids = opts.useCache ? feed : seqs;
      const chunked = n === 0 && opts.useCache && ids.length > PREFILL_ROWS;
      const res = chunked ? yield* prefill(model, ids, mask) : step(model, ids, mask, opts.useCache ? cache : undefined);
      disposeCache(cache);
      if (opts.useCache) cache = res.cache;
      else disposeCache(res.cache);
      const next: number[][] = [];
      res.logits.forEach((logits, b) => {
        // A finished row is fed padding (the cache keeps the batch's shape) and draws nothing.
        if (done[b]) {
          next.push([pad]);
          seqs[b].push(pad);
          mask[b].push(1);
          return;
        }
        const { token, logprob } = sampleToken(logits, opts, rng);
        next.push([token]);
        seqs[b].push(token);
        mask[b].push(1);
        const r = results[b];
        r.tokens.push(token);
        r.logprobs.push(logprob);
        if (token === tokenizer.eosId) {
          r.finishReason = "eos";
          done[b] = true;
          return;
        }
        r.text = tokenizer.decode(r.tokens);
        const hit = opts.stop.map((s) => r.text.indexOf(s)).filter((i) => i >= 0);
        if (hit.length) {
          r.text = r.text.slice(0, Math.min(...hit));
          r.finishReason = "stop";
          done[b] = true;
        }
      });
      feed = next;
      if (!chunked) yield ids.length * ids[0].length;
    }
  } finally {
    disposeCache(cache);
  }
  return results;
}
