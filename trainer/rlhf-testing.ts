/**
 * Fixtures for the RLHF tests: a temporary checkpoint store, a small BPE tokenizer that knows the
 * prompt template, tiny base checkpoints, and a quick "SFT" so sampling starts from a model that
 * writes the toy language instead of uniform noise.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type CheckpointStore, FolderCheckpointStore, saveCheckpoint } from "./checkpoint";
import { createModel, disposeModel, type ModelConfig } from "./model";
import { Adam } from "./optim";
import { formatExample } from "./prompt-format";
import { createRng } from "./rng";
import { type Tokenizer, trainByteBpe } from "./tokenizer";
import { lmLoss, randomWindows, trainStep } from "./train";

export const toyWords = ["red", "blue", "green", "cat", "dog", "sun", "tree", "sky", "big", "old"];

export function tempStore(): CheckpointStore {
  return new FolderCheckpointStore(fs.mkdtempSync(path.join(os.tmpdir(), "pairwise-rlhf-")));
}

export function toyTokenizer(): Tokenizer {
  const rng = createRng(11);
  const texts = Array.from({ length: 200 }, (_, i) => formatExample(`say ${toyWords[i % toyWords.length]}`, Array.from({ length: 4 }, () => toyWords[Math.floor(rng.next() * toyWords.length)]).join(" ")));
  return trainByteBpe(texts, { vocabSize: 300 });
}

function toyModelConfig(tokenizer: Tokenizer, overrides: Partial<ModelConfig> = {}): ModelConfig {
  return { vocabSize: tokenizer.vocabSize, contextLength: 32, layers: 2, heads: 2, dModel: 32, dropout: 0, activation: "quick_gelu", layerNormEpsilon: 1e-5, ...overrides };
}

/** A randomly initialised checkpoint of the given kind. */
export async function saveToyCheckpoint(store: CheckpointStore, id: string, tokenizer: Tokenizer, opts: { kind?: "base" | "sft" | "reward"; seed?: number; config?: Partial<ModelConfig> } = {}) {
  const model = createModel(toyModelConfig(tokenizer, opts.config), { seed: opts.seed ?? 1, heads: opts.kind === "reward" ? ["reward"] : [] });
  await saveCheckpoint(store, { id, model, tokenizer, kind: opts.kind ?? "base", parentId: null, backend: "cpu", trainingConfig: {}, metrics: {} });
  disposeModel(model);
}

/** Toy demonstrations: "say W" -> a few random words. */
export function toyDemos(n: number, seed = 3): Array<{ prompt: string; response: string }> {
  const rng = createRng(seed);
  const pick = () => toyWords[Math.floor(rng.next() * toyWords.length)];
  return Array.from({ length: n }, () => ({ prompt: `say ${pick()}`, response: Array.from({ length: 2 + Math.floor(rng.next() * 3) }, pick).join(" ") }));
}

/**
 * A quick "pretraining" on the toy demonstrations as one text stream (formatted examples, so the
 * model also learns the prompt template), saved as an "sft" checkpoint: a model that writes the
 * toy language, and a fair language model of it for the PPO-ptx test.
 */
export async function saveToySft(store: CheckpointStore, id: string, tokenizer: Tokenizer, opts: { steps?: number; seed?: number; config?: Partial<ModelConfig> } = {}) {
  const model = createModel(toyModelConfig(tokenizer, opts.config), { seed: opts.seed ?? 1 });
  const optimizer = new Adam(model.params, { lr: 1e-2, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 });
  const stream = toyDemos(256).flatMap((d) => tokenizer.encode(formatExample(d.prompt, d.response), { allowSpecial: true }));
  const T = model.config.contextLength - 1;
  const rng = createRng(opts.seed ?? 1);
  for (let s = 0; s < (opts.steps ?? 150); s++) {
    trainStep(model, optimizer, randomWindows(stream, 16, T, rng), lmLoss);
  }
  optimizer.dispose();
  await saveCheckpoint(store, { id, model, tokenizer, kind: "sft", parentId: null, backend: "cpu", trainingConfig: {}, metrics: {} });
  disposeModel(model);
}

/** Prompts "say W N"; the chosen response contains "blue", the rejected one does not. */
export function blueWordPreference(n: number, seed: number): Array<{ prompt: string; chosen: string; rejected: string }> {
  const rng = createRng(seed);
  const others = toyWords.filter((w) => w !== "blue");
  const pick = () => others[Math.floor(rng.next() * others.length)];
  const phrase = (withBlue: boolean) => {
    const words = [pick(), pick(), pick()];
    if (withBlue) words[Math.floor(rng.next() * 3)] = "blue";
    return words.join(" ");
  };
  return Array.from({ length: n }, (_, i) => ({ prompt: `say ${toyWords[i % 10]} ${i % 37}`, chosen: phrase(true), rejected: phrase(false) }));
}
