import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { heldOutLoss } from "./eval";
import { generate, generateAsync } from "./generate";
import { addHeads, createModel, disposeModel, forward, lmLogits, rewardScores, scoreTokenIndex, tokenValues } from "./model";
import { Adam } from "./optim";
import { tinyConfig, testBackends } from "./testing";
import { trainByteBpe } from "./tokenizer";
import { lmBatchFromStream, lmLoss, trainStep } from "./train";

describe("scoreTokenIndex (transformers' GPT2ForSequenceClassification rule)", () => {
  const EOS = 9; // end-of-text, also the padding token
  it("reads a response at its last token before end-of-text and padding", () => {
    expect(scoreTokenIndex([1, 2, 3, 4, EOS, EOS, EOS], EOS)).toBe(3);
  });
  it("reads a response cut before end-of-text at its last token", () => {
    expect(scoreTokenIndex([1, 2, 3, 4], EOS)).toBe(3);
  });
  it("skips left padding as well", () => {
    expect(scoreTokenIndex([EOS, EOS, 1, 2, EOS], EOS)).toBe(3);
  });
  it("reads a row of padding alone at 0, as transformers does", () => {
    expect(scoreTokenIndex([EOS, EOS], EOS)).toBe(0);
  });
});

describe("dropout masks", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });
  it("differ between steps' seeds and repeat for one seed (a fixed mask trained one sub-network)", () => {
    const model = createModel({ ...tinyConfig, dropout: 0.5 }, { seed: 3 });
    const batch = lmBatchFromStream(Array.from({ length: 40 }, (_, i) => (i * 7) % tinyConfig.vocabSize), [0, 10, 20], 8);
    const loss = (dropoutSeed: number) => tf.tidy(() => lmLoss(model, { ...batch, dropoutSeed }).loss.dataSync()[0]!);
    expect(loss(100_000)).toBe(loss(100_000));
    expect(loss(100_000)).not.toBe(loss(200_000));
    disposeModel(model);
  });

  it("stay out of eval's held-out perplexity: a model with dropout measures as without", async () => {
    const tokenizer = trainByteBpe(["the cat sat on the mat, the dog sat on the log"], { vocabSize: 270 });
    const config = { ...tinyConfig, vocabSize: tokenizer.vocabSize };
    const withDropout = createModel({ ...config, dropout: 0.5 }, { seed: 4 });
    const without = { ...withDropout, config: { ...withDropout.config, dropout: 0 } };
    const texts = ["the cat sat on the log", "the dog sat on the mat"];
    expect(await heldOutLoss(withDropout, tokenizer, texts, 8)).toBe(await heldOutLoss(without, tokenizer, texts, 8));
    disposeModel(withDropout);
  });
});

describe.each(testBackends)("model on %s", (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it("gives padded rows the logits of their unpadded selves (left and right padding)", () => {
    const model = createModel(tinyConfig, { seed: 1, heads: ["reward", "value"] });
    const row = [5, 9, 2];
    const alone = tf.tidy(() => lmLogits(model, forward(model, { ids: tf.tensor2d([row], [1, 3], "int32") }).hidden).arraySync());
    const padded = tf.tidy(() => {
      const flat = [...row, 0, 0, 0, 0, ...row];
      const ids = tf.tensor2d(flat, [2, 5], "int32");
      const mask = [[1, 1, 1, 0, 0], [0, 0, 1, 1, 1]];
      const { hidden } = forward(model, { ids, attentionMask: mask });
      return { logits: lmLogits(model, hidden).arraySync(), reward: rewardScores(model, hidden, [scoreTokenIndex(flat.slice(0, 5), 0), 5 + scoreTokenIndex(flat.slice(5), 0)]).arraySync(), values: tokenValues(model, hidden).shape };
    });
    for (let t = 0; t < 3; t++) {
      padded.logits[t].forEach((v, i) => expect(v).toBeCloseTo(alone[t][i], 4)); // right-padded row, positions 0-2
      padded.logits[5 + 2 + t].forEach((v, i) => expect(v).toBeCloseTo(alone[t][i], 4)); // left-padded row, positions 2-4
    }
    expect(padded.reward[0]).toBeCloseTo(padded.reward[1], 4); // read at each row's last token other than padding
    expect(padded.values).toEqual([10]);
    disposeModel(model);
  });

  it("holds one tensor per parameter, heads added later included, and frees them all on dispose", () => {
    const before = tf.memory().numTensors;
    const model = createModel(tinyConfig, { seed: 1 });
    addHeads(model, ["reward", "value"]);
    expect(tf.memory().numTensors - before).toBe(Object.keys(model.params).length);
    disposeModel(model);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("memorises a short text: loss falls and the tensor count stays flat over 50 steps", () => {
    const model = createModel(tinyConfig, { seed: 2 });
    const opt = new Adam(model.params, { lr: 1e-2, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 });
    const tokens = Array.from({ length: 40 }, (_, i) => (i * 7) % 13);
    const batch = lmBatchFromStream(tokens, [0, 5, 10, 20], 12);
    const first = trainStep(model, opt, batch, lmLoss).loss;
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 50; i++) last = trainStep(model, opt, batch, lmLoss).loss;
    expect(tf.memory().numTensors).toBe(before);
    expect(first).toBeGreaterThan(3.5); // ~ln(64) at initialisation
    expect(last).toBeLessThan(0.5);
    opt.dispose();
    disposeModel(model);
  });

  it("generates the same greedy tokens with and without the KV cache", () => {
    const tok = trainByteBpe(["abc abd abe"], { vocabSize: 260 });
    const model = createModel({ ...tinyConfig, vocabSize: tok.vocabSize }, { seed: 3 });
    const prompts = [[1, 2, 3], [4], [7, 8]];
    const before = tf.memory().numTensors;
    const cached = generate(model, tok, prompts, { maxNewTokens: 10, temperature: 0 });
    const full = generate(model, tok, prompts, { maxNewTokens: 10, temperature: 0, useCache: false });
    expect(cached.map((g) => g.tokens)).toEqual(full.map((g) => g.tokens));
    cached.forEach((g, i) => g.logprobs.forEach((lp, j) => expect(lp).toBeCloseTo(full[i].logprobs[j], 4)));
    expect(tf.memory().numTensors).toBe(before);
    disposeModel(model);
  });

  it("runs a batch of more than 64 rows' first step 64 rows at a time, with the uncached tokens, and generateAsync samples what generate does", async () => {
    const tok = trainByteBpe(["abc abd abe"], { vocabSize: 260 });
    const model = createModel({ ...tinyConfig, vocabSize: tok.vocabSize }, { seed: 3 });
    const prompts = Array.from({ length: 150 }, (_, i) => [1 + (i % 7), 2 + (i % 5), 3 + (i % 3)].slice(i % 3));
    const before = tf.memory().numTensors;
    const greedy = { maxNewTokens: 6, temperature: 0 };
    const cached = generate(model, tok, prompts, greedy);
    const full = generate(model, tok, prompts, { ...greedy, useCache: false });
    expect(cached.map((g) => g.tokens)).toEqual(full.map((g) => g.tokens));
    cached.forEach((g, i) => g.logprobs.forEach((lp, j) => expect(lp).toBeCloseTo(full[i].logprobs[j], 4)));

    const sampling = { maxNewTokens: 6, temperature: 1, seed: 9 };
    const fed: number[] = [];
    const awaited = await generateAsync(model, tok, prompts, sampling, async (tokens) => void fed.push(tokens));
    expect(awaited).toEqual(generate(model, tok, prompts, sampling));
    // the first step in parts of 64, 64 and 22 rows of 3 tokens (left-padded), then 150 rows a step
    expect(fed.slice(0, 3)).toEqual([64 * 3, 64 * 3, 22 * 3]);
    expect(fed.slice(3)).toEqual(new Array(fed.length - 3).fill(150));
    // a cancel thrown from the hook, in the first step's parts or later, leaks no tensor
    for (const at of [1, 4]) {
      let calls = 0;
      const cancel = async () => {
        if (++calls === at) throw new Error("cancelled");
      };
      await expect(generateAsync(model, tok, prompts, sampling, cancel)).rejects.toThrow("cancelled");
    }
    expect(tf.memory().numTensors).toBe(before);
    disposeModel(model);
  });

  it("samples reproducibly from a seed", () => {
    const tok = trainByteBpe(["abc abd abe"], { vocabSize: 260 });
    const model = createModel({ ...tinyConfig, vocabSize: tok.vocabSize }, { seed: 4 });
    const a = generate(model, tok, ["ab"], { maxNewTokens: 8, temperature: 1, topK: 10, topP: 0.9, seed: 5 });
    const b = generate(model, tok, ["ab"], { maxNewTokens: 8, temperature: 1, topK: 10, topP: 0.9, seed: 5 });
    expect(a).toEqual(b);
    expect(a[0].logprobs.every((l) => l <= 0 && Number.isFinite(l))).toBe(true);
    disposeModel(model);
  });
});
