/**
 * The whole model: a GPT-2-style decoder (learned positions, pre-LayerNorm blocks, quick_gelu MLP,
 * tied embeddings) with a language-model head, a scalar reward head and a per-token value head.
 *
 * Activations stay 2D [B*T, C] so every projection is one plain matMul (see ops.ts for why).
 * Parameter names and shapes are Hugging Face GPT2LMHeadModel's, Conv1D weights as [in, out].
 * Shapes: B batch, T new tokens, P past (cached) tokens, S = P + T, C dModel, H heads, D = C / H, V vocab.
 */
import * as tf from "@tensorflow/tfjs";
import { bmm, embedding, geluNew, layerNorm, linear, quickGelu, tiedHead, tiedHeadNll } from "./ops";
import { createRng } from "./rng";

export interface ModelConfig {
  /** Number of token ids. */
  vocabSize: number;
  /** Longest sequence the position table covers (GPT-2 n_positions). */
  contextLength: number;
  /** Transformer blocks. */
  layers: number;
  /** Attention heads per block; dModel must divide by it. */
  heads: number;
  /** Width of the residual stream. */
  dModel: number;
  /** Dropout rate on embeddings and on each residual branch while training. */
  dropout: number;
  /**
   * MLP activation, named as Hugging Face's activation_function. quick_gelu, x * sigmoid(1.702 x),
   * is the fast one on wasm and the default; gelu_new (tanh) is GPT-2's own, kept for imports.
   */
  activation: Activation;
  /** LayerNorm epsilon, exported as layer_norm_epsilon. */
  layerNormEpsilon: number;
}

export const defaultModelConfig: ModelConfig = {
  vocabSize: 4096,
  contextLength: 256,
  layers: 4,
  heads: 4,
  dModel: 128,
  dropout: 0,
  activation: "quick_gelu",
  layerNormEpsilon: 1e-5,
};

const activations = ["quick_gelu", "gelu_new"] as const;
type Activation = (typeof activations)[number];

export type Params = Record<string, tf.Variable>;
export interface GPT {
  config: ModelConfig;
  params: Params;
  /**
   * A reward model trained to score at the end-of-text token, not by transformers' rule
   * (scoreTokenIndex): one Pairwise saved before it read by that rule, or one imported from
   * OpenRLHF. It is read where it was trained.
   */
  scoreAtEndOfText?: boolean;
}
export type HeadKind = "reward" | "value";

/** Every tensor of GPT2LMHeadModel for this config, in Hugging Face's order, with its shape. */
export function gpt2TensorShapes(c: ModelConfig): Array<[string, number[]]> {
  const C = c.dModel;
  const out: Array<[string, number[]]> = [
    ["transformer.wte.weight", [c.vocabSize, C]],
    ["transformer.wpe.weight", [c.contextLength, C]],
  ];
  for (let i = 0; i < c.layers; i++) {
    const p = `transformer.h.${i}.`;
    out.push(
      [`${p}ln_1.weight`, [C]],
      [`${p}ln_1.bias`, [C]],
      [`${p}attn.c_attn.weight`, [C, 3 * C]],
      [`${p}attn.c_attn.bias`, [3 * C]],
      [`${p}attn.c_proj.weight`, [C, C]],
      [`${p}attn.c_proj.bias`, [C]],
      [`${p}ln_2.weight`, [C]],
      [`${p}ln_2.bias`, [C]],
      [`${p}mlp.c_fc.weight`, [C, 4 * C]],
      [`${p}mlp.c_fc.bias`, [4 * C]],
      [`${p}mlp.c_proj.weight`, [4 * C, C]],
      [`${p}mlp.c_proj.bias`, [C]],
    );
  }
  out.push(["transformer.ln_f.weight", [C]], ["transformer.ln_f.bias", [C]]);
  return out;
}

/** Extra heads, named as GPT2ForSequenceClassification (score) and TRL's value head (v_head.summary). */
export function headTensorShapes(c: ModelConfig, kind: HeadKind): Array<[string, number[]]> {
  return kind === "reward"
    ? [["score.weight", [1, c.dModel]]]
    : [
        ["v_head.summary.weight", [1, c.dModel]],
        ["v_head.summary.bias", [1]],
      ];
}

export function validateConfig(c: ModelConfig): void {
  if (c.dModel % c.heads !== 0) throw new Error(`dModel ${c.dModel} must be divisible by heads ${c.heads}`);
  for (const k of ["vocabSize", "contextLength", "layers", "heads", "dModel"] as const) {
    if (!Number.isInteger(c[k]) || c[k] <= 0) throw new Error(`${k} must be a positive integer, got ${c[k]}`);
  }
  if (!activations.includes(c.activation)) throw new Error(`activation must be one of ${activations.join(", ")}, got ${c.activation}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`dropout must be in [0, 1), got ${c.dropout}`);
}

/** GPT-2 initialisation: N(0, 0.02), residual projections scaled by 1/sqrt(2 layers), LayerNorm 1/0. */
function initValues(c: ModelConfig, name: string, size: number, rng: ReturnType<typeof createRng>): Float32Array {
  const v = new Float32Array(size);
  if (/ln_\w+\.weight$/.test(name)) return v.fill(1);
  if (/\.bias$/.test(name)) return v;
  const std = /c_proj\.weight$/.test(name) ? 0.02 / Math.sqrt(2 * c.layers) : 0.02;
  for (let i = 0; i < size; i++) v[i] = rng.normal() * std;
  return v;
}

/** A fresh model; the same seed gives the same weights on every backend. */
export function createModel(config: ModelConfig, opts: { seed?: number; heads?: HeadKind[] } = {}): GPT {
  validateConfig(config);
  const rng = createRng(opts.seed ?? 0);
  const shapes = [...gpt2TensorShapes(config), ...(opts.heads ?? []).flatMap((h) => headTensorShapes(config, h))];
  const params: Params = {};
  for (const [name, shape] of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    params[name] = variableFrom(tf.tensor(initValues(config, name, size, rng), shape), true);
  }
  return { config, params };
}

/**
 * A variable made from a tensor, which it then disposes: the variable keeps its own reference to
 * the data, and the tensor left behind would otherwise count as a leak in every tensor-count check.
 */
export function variableFrom(init: tf.Tensor, trainable: boolean): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

/** Adds heads a checkpoint lacks (a base model becoming a reward model), zero-initialised. */
export function addHeads(model: GPT, heads: HeadKind[]): void {
  for (const kind of heads) {
    for (const [name, shape] of headTensorShapes(model.config, kind)) {
      model.params[name] ??= variableFrom(tf.zeros(shape), true);
    }
  }
}

export function paramCount(model: GPT): number {
  return Object.values(model.params).reduce((n, p) => n + p.size, 0);
}

export function disposeModel(model: GPT): void {
  for (const p of Object.values(model.params)) p.dispose();
}

/** Keys and values of every layer for the tokens seen so far. */
export interface KvCache {
  keys: tf.Tensor3D[]; //   per layer [B*H, P, D]
  values: tf.Tensor3D[]; // per layer [B*H, P, D]
}

export interface ForwardInput {
  ids: tf.Tensor2D; // [B, T] int32
  /** 1 for real tokens, 0 for padding, covering the cached tokens too: [B, S]. Absent: all real. */
  attentionMask?: number[][];
  cache?: KvCache;
  training?: boolean;
  /** Seed for dropout masks while training. */
  seed?: number;
}

export interface ForwardOutput {
  hidden: tf.Tensor2D; // [B*T, C] after the final LayerNorm
  cache: KvCache; //      past plus these tokens; the caller disposes it
}

/** Position ids count real tokens only, so left- and right-padded rows get the same positions. */
function positionsAndBias(mask: number[][], B: number, T: number, P: number) {
  const S = P + T;
  const pos = new Int32Array(B * T);
  const bias = new Float32Array(B * T * S); // [B, 1, T, S]: 0 where query may attend to key, -1e9 elsewhere
  for (let b = 0; b < B; b++) {
    let seen = 0;
    for (let s = 0; s < S; s++) {
      seen += mask[b][s];
      if (s >= P) pos[b * T + s - P] = Math.max(0, seen - 1);
    }
    for (let t = 0; t < T; t++) {
      for (let s = 0; s < S; s++) {
        const ok = s <= P + t && mask[b][s] === 1;
        bias[(b * T + t) * S + s] = ok ? 0 : -1e9;
      }
    }
  }
  return { pos, bias };
}

function dropout(x: tf.Tensor2D, rate: number, seed: number | undefined): tf.Tensor2D {
  return rate > 0 ? (tf.dropout(x, rate, undefined, seed) as tf.Tensor2D) : x;
}

/** Runs the decoder over new tokens (with past keys/values when generating). */
export function forward(model: GPT, input: ForwardInput): ForwardOutput {
  const { config: c, params: w } = model;
  const [B, T] = input.ids.shape;
  const P = input.cache?.keys[0]?.shape[1] ?? 0;
  const S = P + T;
  if (S > c.contextLength) throw new Error(`sequence of ${S} tokens exceeds contextLength ${c.contextLength}`);
  const H = c.heads;
  const C = c.dModel;
  const D = C / H;
  const eps = c.layerNormEpsilon;
  const mask = input.attentionMask ?? Array.from({ length: B }, () => new Array<number>(S).fill(1));
  const { pos, bias } = positionsAndBias(mask, B, T, P);
  const biasT = tf.tensor4d(bias, [B, 1, T, S]);
  const drop = input.training ? c.dropout : 0;
  let seed = input.seed ?? 0;
  const p = (name: string) => w[name] as tf.Tensor;

  const tok = embedding(p("transformer.wte.weight") as tf.Tensor2D, tf.reshape(input.ids, [-1]) as tf.Tensor1D); // [B*T, C]
  const posEmb = embedding(p("transformer.wpe.weight") as tf.Tensor2D, tf.tensor1d(pos, "int32")); // [B*T, C]
  let x = dropout(tf.add(tok, posEmb), drop, seed++); // [B*T, C]

  // [B*T, C] -> [B*H, T, D]
  const splitHeads = (z: tf.Tensor2D) => tf.reshape(tf.transpose(tf.reshape(z, [B, T, H, D]), [0, 2, 1, 3]), [B * H, T, D]) as tf.Tensor3D;
  const cache: KvCache = { keys: [], values: [] };

  for (let i = 0; i < c.layers; i++) {
    const l = `transformer.h.${i}.`;
    // 1. causal self-attention
    const h1 = layerNorm(x, p(`${l}ln_1.weight`) as tf.Tensor1D, p(`${l}ln_1.bias`) as tf.Tensor1D, eps); // [B*T, C]
    const qkv = linear(h1, p(`${l}attn.c_attn.weight`) as tf.Tensor2D, p(`${l}attn.c_attn.bias`) as tf.Tensor1D); // [B*T, 3C]
    const [q, k, v] = tf.split(qkv, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]; // each [B*T, C]
    let kh = splitHeads(k); // [B*H, T, D]
    let vh = splitHeads(v);
    if (input.cache) {
      kh = tf.concat([input.cache.keys[i], kh], 1); // [B*H, S, D]
      vh = tf.concat([input.cache.values[i], vh], 1);
    }
    cache.keys.push(kh);
    cache.values.push(vh);
    const scores = tf.mul(bmm(splitHeads(q), tf.transpose(kh, [0, 2, 1])), 1 / Math.sqrt(D)); // [B*H, T, S]
    const probs = tf.softmax(tf.add(tf.reshape(scores, [B, H, T, S]), biasT)); // [B, H, T, S]
    const att = bmm(tf.reshape(probs, [B * H, T, S]) as tf.Tensor3D, vh); // [B*H, T, D]
    const merged = tf.reshape(tf.transpose(tf.reshape(att, [B, H, T, D]), [0, 2, 1, 3]), [B * T, C]) as tf.Tensor2D;
    const attOut = linear(merged, p(`${l}attn.c_proj.weight`) as tf.Tensor2D, p(`${l}attn.c_proj.bias`) as tf.Tensor1D);
    x = tf.add(x, dropout(attOut, drop, seed++));
    // 2. MLP
    const h2 = layerNorm(x, p(`${l}ln_2.weight`) as tf.Tensor1D, p(`${l}ln_2.bias`) as tf.Tensor1D, eps);
    const act = c.activation === "gelu_new" ? geluNew : quickGelu;
    const fc = act(linear(h2, p(`${l}mlp.c_fc.weight`) as tf.Tensor2D, p(`${l}mlp.c_fc.bias`) as tf.Tensor1D)); // [B*T, 4C]
    const mlpOut = linear(fc, p(`${l}mlp.c_proj.weight`) as tf.Tensor2D, p(`${l}mlp.c_proj.bias`) as tf.Tensor1D); // [B*T, C]
    x = tf.add(x, dropout(mlpOut, drop, seed++));
  }
  const hidden = layerNorm(x, p("transformer.ln_f.weight") as tf.Tensor1D, p("transformer.ln_f.bias") as tf.Tensor1D, eps);
  return { hidden, cache };
}

/** Language-model logits with the tied embedding. hidden [N, C] -> [N, V]. */
export function lmLogits(model: GPT, hidden: tf.Tensor2D): tf.Tensor2D {
  return tiedHead(hidden, model.params["transformer.wte.weight"] as tf.Tensor2D);
}

/**
 * Next-token negative log-likelihood at every position: -log softmax(logits)[target]. hidden [N, C],
 * targets [N] int32 -> [N]. Same as cross-entropy on lmLogits, in one fused op (ops.tiedHeadNll).
 */
export function lmNll(model: GPT, hidden: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  return tiedHeadNll(hidden, model.params["transformer.wte.weight"] as tf.Tensor2D, targets);
}

/**
 * Where a reward model reads its score in a row: the rightmost token that is not the padding
 * token, the rule of transformers' GPT2ForSequenceClassification (the attention mask plays no
 * part). Padding is end-of-text, so a response's score is read at its last token before
 * end-of-text, as TRL reads it too, and a checkpoint scores the same here and in Python. A row of
 * padding alone reads at 0, as transformers does.
 */
export function scoreTokenIndex(ids: ArrayLike<number>, padId: number): number {
  for (let t = ids.length - 1; t >= 0; t--) if (ids[t] !== padId) return t;
  return 0;
}

/**
 * Scalar reward per sequence, read from the hidden state at one row of hidden per sequence
 * (flat indices b * T + t; packedRewards picks them). hidden [B*T, C] -> [B]. The rows are picked
 * with ops.embedding, whose gradient is a scatter-add: tf.gather's needs UnsortedSegmentSum,
 * which wasm lacks, so this stays trainable on every backend.
 */
export function rewardScores(model: GPT, hidden: tf.Tensor2D, rows: number[]): tf.Tensor1D {
  const w = model.params["score.weight"];
  if (!w) throw new Error("model has no reward head (score.weight)");
  const last = embedding(hidden, tf.tensor1d(rows, "int32")); // [B, C]
  return tf.reshape(tf.matMul(last, tf.transpose(w as tf.Tensor2D)), [-1]); // [B]
}

/** Per-token value estimates. hidden [B*T, C] -> [B*T]. */
export function tokenValues(model: GPT, hidden: tf.Tensor2D): tf.Tensor1D {
  const w = model.params["v_head.summary.weight"];
  const b = model.params["v_head.summary.bias"];
  if (!w || !b) throw new Error("model has no value head (v_head.summary)");
  return tf.reshape(tf.add(tf.matMul(hidden, tf.transpose(w as tf.Tensor2D)), b), [-1]);
}
