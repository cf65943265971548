/**
 * Batches for pretraining (packed token streams) and SFT (prompt/response examples, loss on the
 * response only). Which rows a step gets is a pure function of (seed, step): a resumed run sees
 * exactly the batches the uninterrupted run would have.
 */
import * as tf from "@tensorflow/tfjs";
import { type Heartbeat, heartbeatEvery } from "./heartbeat";
import { forward, type GPT, lmNll } from "./model";
import { encodeExample, type PromptInput } from "./prompt-format";
import { createRng } from "./rng";
import type { Tokenizer } from "./tokenizer";
import { type LmBatch, lmBatchFromStream, randomWindows } from "./train";

/** Encodes documents into one stream with end-of-text between them (and at the end). */
export function tokenizeDocs(tokenizer: Tokenizer, docs: string[]): Uint16Array | Int32Array {
  const parts: number[][] = docs.map((d) => [...tokenizer.encode(d), tokenizer.eosId]);
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = tokenizer.vocabSize <= 65536 ? new Uint16Array(n) : new Int32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A seeded Fisher-Yates permutation of 0..n-1. */
function permutation(n: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** Epoch-shuffled indices: row `i` of the run (step * B + b) maps to an item, reshuffled each epoch. */
export class ShuffledOrder {
  private epoch = -1;
  private perm: Int32Array = new Int32Array(0);
  constructor(
    readonly size: number,
    readonly seed: number,
  ) {
    if (size <= 0) throw new Error("nothing to train on: the dataset is empty");
  }
  item(row: number): number {
    const epoch = Math.floor(row / this.size);
    if (epoch !== this.epoch) {
      this.perm = permutation(this.size, (this.seed * 7919 + epoch) >>> 0);
      this.epoch = epoch;
    }
    return this.perm[row % this.size];
  }
  rows(step: number, B: number): number[] {
    return Array.from({ length: B }, (_, b) => this.item(step * B + b));
  }
}

/**
 * Packed pretraining batches: the stream is cut into non-overlapping windows of T + 1 tokens
 * (documents run into each other across end-of-text), visited in a seeded order per epoch.
 */
export class PackedBatches {
  readonly windows: number;
  private readonly order: ShuffledOrder;
  constructor(
    private readonly tokens: ArrayLike<number>,
    readonly T: number,
    readonly B: number,
    seed: number,
  ) {
    this.windows = Math.floor((tokens.length - 1) / T);
    this.order = new ShuffledOrder(this.windows, seed);
  }
  batch(step: number): LmBatch {
    return lmBatchFromStream(this.tokens, this.order.rows(step, this.B).map((w) => w * this.T), this.T);
  }
}

/** Mean next-token loss (no dropout, no gradient) over the first `maxWindows` windows of a stream; `heartbeat` every ITEMS_PER_HEARTBEAT windows. */
export async function streamLoss(model: GPT, tokens: ArrayLike<number>, T: number, B: number, maxWindows: number, heartbeat?: Heartbeat): Promise<{ loss: number; tokens: number }> {
  const windows = Math.min(maxWindows, Math.floor((tokens.length - 1) / T));
  const evaluated = heartbeatEvery(heartbeat);
  let sum = 0;
  let n = 0;
  for (let w = 0; w < windows; w += B) {
    const offsets = Array.from({ length: Math.min(B, windows - w) }, (_, b) => (w + b) * T);
    const batch = lmBatchFromStream(tokens, offsets, T);
    sum += batchNll(model, batch).sum;
    n += batch.B * T;
    await evaluated(batch.B);
  }
  return { loss: sum / Math.max(1, n), tokens: n };
}

export interface SftEncoded {
  ids: number[];
  promptLength: number;
}

/** Encodes examples with the shared template; cuts them to the context and drops those with no response token left. */
export function encodeSftExamples(tokenizer: Tokenizer, examples: Array<{ prompt: PromptInput; response: string }>, contextLength: number): { encoded: SftEncoded[]; dropped: number } {
  const encoded: SftEncoded[] = [];
  let dropped = 0;
  for (const e of examples) {
    const x = encodeExample(tokenizer, e.prompt, e.response);
    // contextLength + 1 tokens give contextLength (input, target) positions.
    const ids = x.ids.slice(0, contextLength + 1);
    if (ids.length <= x.promptLength) dropped++;
    else encoded.push({ ids, promptLength: x.promptLength });
  }
  return { encoded, dropped };
}

/**
 * A right-padded SFT batch. Position t predicts ids[t + 1]; its loss weight is 1 only where that
 * target is a response token (the end-of-text included), 0 on prompt tokens and padding.
 */
export function sftBatch(examples: SftEncoded[], padId: number, padMultiple = 1): LmBatch {
  const B = examples.length;
  // Rounding T up to a multiple keeps the number of distinct shapes (and kernel set-ups) small.
  const T = Math.ceil(Math.max(...examples.map((e) => e.ids.length - 1)) / padMultiple) * padMultiple;
  const inputs = new Int32Array(B * T).fill(padId);
  const targets = new Int32Array(B * T).fill(padId);
  const lossWeights = new Float32Array(B * T);
  const attentionMask = examples.map(() => new Array<number>(T).fill(0));
  examples.forEach((e, b) => {
    for (let t = 0; t + 1 < e.ids.length; t++) {
      inputs[b * T + t] = e.ids[t];
      targets[b * T + t] = e.ids[t + 1];
      attentionMask[b][t] = 1;
      if (t + 1 >= e.promptLength) lossWeights[b * T + t] = 1;
    }
  });
  return { B, T, inputs, targets, attentionMask, lossWeights };
}

/**
 * An SFT batch with `rows` windows of plain text appended (PPO-ptx's idea, applied to SFT): every
 * text token counts, weighted so the batch loss is (1 - share) * the SFT loss + share * the text's
 * mean next-token loss. Offsets come from `rng`, so a step's batch is the same after a resume.
 */
export function withTextRows(batch: LmBatch, text: ArrayLike<number>, rows: number, share: number, rng: { next(): number }): LmBatch {
  if (!(share > 0 && share < 1)) throw new Error(`the text's share of the loss must be in (0, 1), got ${share}`);
  const { B, T } = batch;
  if (text.length < T + 2) throw new Error(`mixing text needs more than ${T + 1} tokens of it`);
  const windows = randomWindows(text, rows, T, rng);
  const sftWeights = batch.lossWeights ?? new Float32Array(B * T).fill(1);
  const sftWeight = sftWeights.reduce((a, b) => a + b, 0);
  const lossWeights = new Float32Array((B + rows) * T);
  lossWeights.set(sftWeights);
  lossWeights.fill(((share / (1 - share)) * Math.max(sftWeight, 1)) / (rows * T), B * T); // per text token
  const concat = (a: Int32Array, b: Int32Array) => {
    const out = new Int32Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  return {
    B: B + rows,
    T,
    inputs: concat(batch.inputs, windows.inputs),
    targets: concat(batch.targets, windows.targets),
    attentionMask: [...(batch.attentionMask ?? Array.from({ length: B }, () => new Array<number>(T).fill(1))), ...Array.from({ length: rows }, () => new Array<number>(T).fill(1))],
    lossWeights,
  };
}

/** Summed weighted NLL and total weight of a batch, without dropout or gradients. */
export function batchNll(model: GPT, batch: LmBatch): { sum: number; weight: number } {
  const weights = batch.lossWeights ?? new Float32Array(batch.B * batch.T).fill(1);
  const sum = tf.tidy(() => {
    const { hidden } = forward(model, { ids: tf.tensor2d(batch.inputs, [batch.B, batch.T], "int32"), attentionMask: batch.attentionMask });
    const nll = lmNll(model, hidden, tf.tensor1d(batch.targets, "int32"));
    return tf.sum(tf.mul(nll, tf.tensor1d(weights)));
  });
  const value = sum.dataSync()[0];
  sum.dispose();
  return { sum: value, weight: weights.reduce((a, b) => a + b, 0) };
}

/** Token-weighted mean NLL of the responses of encoded examples; `heartbeat` every ITEMS_PER_HEARTBEAT examples. */
export async function sftExamplesLoss(model: GPT, examples: SftEncoded[], padId: number, B: number, heartbeat?: Heartbeat): Promise<{ loss: number; tokens: number }> {
  const evaluated = heartbeatEvery(heartbeat);
  let sum = 0;
  let weight = 0;
  for (let i = 0; i < examples.length; i += B) {
    const part = examples.slice(i, i + B);
    const r = batchNll(model, sftBatch(part, padId));
    sum += r.sum;
    weight += r.weight;
    await evaluated(part.length);
  }
  return { loss: sum / Math.max(1, weight), tokens: weight };
}
