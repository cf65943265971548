/**
 * (prompt, response) sequences as the RLHF losses need them: encoded with the shared prompt
 * template, packed right-padded into one batch, and the per-token log-probs of the response
 * tokens, the sequence reward at the last token before end-of-text, or the values at each action.
 *
 * Layout of row b (p prompt tokens, r response tokens, end-of-text included in r):
 *   ids      [ p_0 ... p_{p-1} | r_0 ... r_{r-1} | pad ... ]
 *   targets  ids shifted left by one: position i predicts ids[i + 1]
 *   response mask is 1 at positions p-1 ... p+r-2 (the positions that predict r_0 ... r_{r-1})
 * so "action t" of the response lives at position p - 1 + t: its log-prob, its value (the state
 * before the action, as TRL's value head reads it) and its reward.
 */
import * as tf from "@tensorflow/tfjs";
import { forward, type GPT, lmNll, rewardScores, scoreTokenIndex } from "./model";
import { embedding } from "./ops";
import { formatPrompt, formatResponse, type PromptInput } from "./prompt-format";
import type { Tokenizer } from "./tokenizer";

export interface EncodedPair {
  promptIds: number[];
  responseIds: number[];
}

/**
 * Encodes formatExample(prompt, response) as prompt ids + response ids (formatResponse: a leading
 * space, the text, end-of-text). Over maxLength, the prompt loses tokens from its start
 * (keeping at least one), then the response is cut, keeping its final token.
 */
export function encodeExample(tokenizer: Tokenizer, prompt: PromptInput, response: string, maxLength: number): EncodedPair {
  const promptIds = tokenizer.encode(formatPrompt(prompt));
  const responseIds = tokenizer.encode(formatResponse(response), { allowSpecial: true });
  return truncatePair(promptIds, responseIds, maxLength);
}

export function truncatePair(promptIds: number[], responseIds: number[], maxLength: number): EncodedPair {
  let p = promptIds;
  let r = responseIds;
  if (p.length + r.length > maxLength) p = p.slice(Math.max(0, p.length - Math.max(1, maxLength - r.length)));
  if (p.length + r.length > maxLength) r = [...r.slice(0, Math.max(0, maxLength - p.length - 1)), r[r.length - 1]];
  return { promptIds: p, responseIds: r };
}

export interface PackedBatch {
  B: number;
  T: number;
  ids: Int32Array; //            [B*T]
  targets: Int32Array; //        [B*T]
  attentionMask: number[][]; //  [B][T]
  responseMask: Float32Array; // [B*T]
  promptLens: number[];
  responseLens: number[];
  padId: number;
}

export function packSequences(seqs: EncodedPair[], padId: number): PackedBatch {
  const B = seqs.length;
  const T = Math.max(2, ...seqs.map((s) => s.promptIds.length + s.responseIds.length));
  const ids = new Int32Array(B * T).fill(padId);
  const targets = new Int32Array(B * T).fill(padId);
  const responseMask = new Float32Array(B * T);
  const attentionMask: number[][] = [];
  seqs.forEach((s, b) => {
    const row = [...s.promptIds, ...s.responseIds];
    row.forEach((id, t) => (ids[b * T + t] = id));
    for (let t = 0; t + 1 < row.length; t++) targets[b * T + t] = row[t + 1];
    for (let j = 0; j < s.responseIds.length; j++) responseMask[b * T + s.promptIds.length - 1 + j] = 1;
    attentionMask.push(Array.from({ length: T }, (_, t) => (t < row.length ? 1 : 0)));
  });
  return { B, T, ids, targets, attentionMask, responseMask, promptLens: seqs.map((s) => s.promptIds.length), responseLens: seqs.map((s) => s.responseIds.length), padId };
}

/** Runs the decoder over a packed batch. hidden [B*T, C]. */
export function forwardPacked(model: GPT, batch: PackedBatch, training = false): tf.Tensor2D {
  return forward(model, { ids: tf.tensor2d(batch.ids, [batch.B, batch.T], "int32"), attentionMask: batch.attentionMask, training }).hidden;
}

/** log p(target) at every position (differentiable): [B*T]. Entries off the response mask are meaningless. */
export function targetLogprobs(model: GPT, hidden: tf.Tensor2D, batch: PackedBatch): tf.Tensor1D {
  return tf.neg(lmNll(model, hidden, tf.tensor1d(batch.targets, "int32")));
}

/** Sum of the response tokens' log-probs per row: [B]. */
export function sequenceLogprobs(tokenLogprobs: tf.Tensor1D, batch: PackedBatch): tf.Tensor1D {
  return tf.sum(tf.reshape(tf.mul(tokenLogprobs, tf.tensor1d(batch.responseMask)), [batch.B, batch.T]), 1);
}

/**
 * Rows of x picked by index, differentiable on every backend: tf.gather's gradient needs
 * UnsortedSegmentSum, which wasm lacks, so this goes through ops.embedding (a scatter-add gradient).
 * x [N, C], rows [K] -> [K, C].
 */
function gatherRows(x: tf.Tensor2D, rows: number[]): tf.Tensor2D {
  return embedding(x, tf.tensor1d(rows, "int32"));
}

/** Entries of a vector by index, differentiable on wasm: x [N], idx [K] -> [K]. */
export function gatherEntries(x: tf.Tensor1D, idx: number[]): tf.Tensor1D {
  return tf.reshape(gatherRows(tf.reshape(x, [-1, 1]) as tf.Tensor2D, idx), [-1]);
}

/**
 * Reward model scores at each row's last token before end-of-text (model.scoreTokenIndex), or at
 * its last real token for a reward model trained to read there (GPT.scoreAtEndOfText): [B].
 */
export function packedRewards(model: GPT, hidden: tf.Tensor2D, batch: PackedBatch): tf.Tensor1D {
  const { T } = batch;
  const rows = batch.promptLens.map((p, b) => b * T + (model.scoreAtEndOfText ? p + batch.responseLens[b] - 1 : scoreTokenIndex(batch.ids.subarray(b * T, (b + 1) * T), batch.padId)));
  return rewardScores(model, hidden, rows);
}

/** Plain per-row arrays of the response entries of a [B*T] vector. */
export function responseEntries(flat: ArrayLike<number>, batch: PackedBatch): Float64Array[] {
  return batch.promptLens.map((p, b) => Float64Array.from({ length: batch.responseLens[b] }, (_, t) => flat[b * batch.T + p - 1 + t]));
}

/** The inverse of responseEntries: per-row arrays placed back at their positions in a [B*T] vector. */
export function scatterResponse(rows: ArrayLike<number>[], batch: PackedBatch): Float32Array {
  const out = new Float32Array(batch.B * batch.T);
  rows.forEach((r, b) => {
    for (let t = 0; t < r.length; t++) out[b * batch.T + batch.promptLens[b] - 1 + t] = r[t];
  });
  return out;
}

/** Splits items into chunks of at most n. */
export function chunks<T>(items: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, n)) out.push(items.slice(i, i + Math.max(1, n)));
  return out;
}

/** Sum of response-token log-probs of each (prompt, response), without gradients, in chunks. */
export function scoreLogprobs(model: GPT, seqs: EncodedPair[], padId: number, batchSize = 16): number[] {
  const out: number[] = [];
  for (const part of chunks(seqs, batchSize)) {
    const batch = packSequences(part, padId);
    const t = tf.tidy(() => sequenceLogprobs(targetLogprobs(model, forwardPacked(model, batch), batch), batch));
    out.push(...t.dataSync());
    t.dispose();
  }
  return out;
}
