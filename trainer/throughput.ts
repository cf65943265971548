/**
 * Measures training-step and generation throughput of the model on the active backend.
 * Shared by `npm run trainer -- bench` and bench/train-throughput.
 */
import * as tf from "@tensorflow/tfjs";
import { activeBackend } from "./backend";
import { generate } from "./generate";
import { createModel, defaultModelConfig, disposeModel, paramCount } from "./model";
import { Adam } from "./optim";
import { DataParallel } from "./parallel";
import { createRng } from "./rng";
import { END_OF_TEXT, type Tokenizer } from "./tokenizer";
import { lmLoss, randomWindows, trainStep } from "./train";

export interface ThroughputConfig {
  vocabSize: number;
  contextLength: number;
  layers: number;
  heads: number;
  dModel: number;
  batch: number;
  /** Timed steps, after warmup. */
  steps: number;
  warmup: number;
  /** New tokens per row when timing generation (0 skips it). */
  genTokens: number;
  /** Data-parallel threads for the training step (1 = the main thread only). */
  threads?: number;
}

export interface ThroughputResult {
  params: number;
  msPerStep: number;
  trainTokensPerSec: number;
  genTokensPerSec: number | null;
  lossFirst: number;
  lossLast: number;
  tensorsLeaked: number;
}

/** A tokenizer stand-in for timing: ids only, never decoded to anything meaningful. */
function idTokenizer(vocabSize: number): Tokenizer {
  return {
    kind: "bpe",
    vocabSize,
    eosId: vocabSize - 1,
    padId: vocabSize - 1,
    encode: (text) => Array.from(text, (ch) => ch.codePointAt(0)! % (vocabSize - 1)),
    decode: (ids) => Array.from(ids, (i) => (i === vocabSize - 1 ? END_OF_TEXT : "x")).join(""),
    toJSON: () => undefined,
  };
}

export async function measureThroughput(cfg: ThroughputConfig, onStep?: (step: number, loss: number, tokensPerSec: number) => void): Promise<ThroughputResult> {
  const model = createModel({ ...defaultModelConfig, vocabSize: cfg.vocabSize, contextLength: cfg.contextLength, layers: cfg.layers, heads: cfg.heads, dModel: cfg.dModel }, { seed: 0 });
  const optimizer = new Adam(model.params, { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 });
  const rng = createRng(1);
  const stream = Int32Array.from({ length: 20_000 }, () => Math.floor(rng.next() * cfg.vocabSize));
  const batch = () => randomWindows(stream, cfg.batch, cfg.contextLength, rng);
  const tokensPerStep = cfg.batch * cfg.contextLength;
  const parallel = (cfg.threads ?? 1) > 1 ? await DataParallel.start(model, activeBackend(), cfg.threads!) : null;
  const step = async () => (parallel ? parallel.step(optimizer, batch()) : trainStep(model, optimizer, batch(), lmLoss));
  let lossFirst = NaN;
  for (let i = 0; i < cfg.warmup; i++) lossFirst = (await step()).loss;
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  let lossLast = NaN;
  for (let i = 0; i < cfg.steps; i++) {
    lossLast = (await step()).loss;
    onStep?.(i + 1, lossLast, ((i + 1) * tokensPerStep) / ((performance.now() - t0) / 1000));
  }
  const msPerStep = (performance.now() - t0) / cfg.steps;
  const tensorsLeaked = tf.memory().numTensors - tensorsBefore;
  await parallel?.close();

  let genTokensPerSec: number | null = null;
  if (cfg.genTokens > 0) {
    const tok = idTokenizer(cfg.vocabSize);
    const prompts = Array.from({ length: cfg.batch }, (_, b) => [1 + b, 2 + b, 3 + b, 4 + b]);
    generate(model, tok, prompts, { maxNewTokens: 2, temperature: 0 }); // warm the kernels
    const g0 = performance.now();
    // Greedy with no eos: every row produces genTokens tokens.
    const out = generate(model, { ...tok, eosId: -1 }, prompts, { maxNewTokens: cfg.genTokens, temperature: 0 });
    genTokensPerSec = out.reduce((n, g) => n + g.tokens.length, 0) / ((performance.now() - g0) / 1000);
  }
  const params = paramCount(model);
  optimizer.dispose();
  disposeModel(model);
  return { params, msPerStep, trainTokensPerSec: (tokensPerStep * 1000) / msPerStep, genTokensPerSec, lossFirst, lossLast, tensorsLeaked };
}

/** The two sizes the issue benchmarks (~0.8M and ~5M parameters, context 64, batch 16). */
export const benchSizes: Record<"small" | "big", Omit<ThroughputConfig, "steps" | "warmup" | "genTokens">> = {
  small: { vocabSize: 4096, contextLength: 64, layers: 4, heads: 4, dModel: 96, batch: 16 },
  big: { vocabSize: 4096, contextLength: 64, layers: 5, heads: 8, dModel: 256, batch: 16 },
};
