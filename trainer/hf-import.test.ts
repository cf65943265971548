import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { FolderCheckpointStore, loadCheckpoint, saveCheckpoint } from "./checkpoint";
import { importHf } from "./hf-import";
import { createModel, disposeModel, forward, type GPT, gpt2TensorShapes, lmLogits, type ModelConfig } from "./model";
import { createRng } from "./rng";
import { type HostTensor, readSafetensors, writeSafetensors } from "./safetensors";
import { scoreTexts } from "./score";
import { testBackends, tinyConfig } from "./testing";
import { type Tokenizer, trainByteBpe } from "./tokenizer";

/** A tiny random GPT-2 as transformers would save GPT2Model: unprefixed names, Conv1D [in, out], attn.bias buffers. */
function tinyGpt2(c: ModelConfig): Record<string, HostTensor> {
  const rng = createRng(42);
  const out: Record<string, HostTensor> = {};
  for (const [name, shape] of gpt2TensorShapes(c)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const base = /ln_.*weight$/.test(name) ? 1 : 0;
    out[name.replace(/^transformer\./, "")] = { shape, data: Float32Array.from({ length: size }, () => base + rng.normal() * 0.3) };
  }
  for (let i = 0; i < c.layers; i++) out[`h.${i}.attn.bias`] = { shape: [1, 1, c.contextLength, c.contextLength], data: new Float32Array(c.contextLength ** 2) };
  return out;
}

/** Reference GPT-2 forward in float64 plain JS, straight from the paper's equations. */
function referenceLogits(w: Record<string, HostTensor>, c: ModelConfig, ids: number[]): number[][] {
  const C = c.dModel;
  const H = c.heads;
  const D = C / H;
  const get = (n: string) => w[n].data;
  const ln = (x: number[], g: Float32Array, b: Float32Array) => {
    const mu = x.reduce((s, v) => s + v, 0) / x.length;
    const varc = x.reduce((s, v) => s + (v - mu) ** 2, 0) / x.length;
    return x.map((v, i) => ((v - mu) / Math.sqrt(varc + c.layerNormEpsilon)) * g[i] + b[i]);
  };
  const lin = (x: number[], W: Float32Array, b: Float32Array, out: number) =>
    Array.from({ length: out }, (_, o) => x.reduce((s, v, i) => s + v * W[i * out + o], b[o]));
  const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  let xs = ids.map((id, t) => Array.from({ length: C }, (_, k) => get("wte.weight")[id * C + k] + get("wpe.weight")[t * C + k]));
  for (let l = 0; l < c.layers; l++) {
    const p = `h.${l}.`;
    const qkv = xs.map((x) => lin(ln(x, get(`${p}ln_1.weight`), get(`${p}ln_1.bias`)), get(`${p}attn.c_attn.weight`), get(`${p}attn.c_attn.bias`), 3 * C));
    const att = xs.map((_, t) => {
      const y = new Array<number>(C).fill(0);
      for (let h = 0; h < H; h++) {
        const s = Array.from({ length: t + 1 }, (_, j) => {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += qkv[t][h * D + d] * qkv[j][C + h * D + d];
          return dot / Math.sqrt(D);
        });
        const m = Math.max(...s);
        const e = s.map((v) => Math.exp(v - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= t; j++) for (let d = 0; d < D; d++) y[h * D + d] += (e[j] / z) * qkv[j][2 * C + h * D + d];
      }
      return y;
    });
    xs = xs.map((x, t) => lin(att[t], get(`${p}attn.c_proj.weight`), get(`${p}attn.c_proj.bias`), C).map((v, k) => v + x[k]));
    xs = xs.map((x) => {
      const h = lin(ln(x, get(`${p}ln_2.weight`), get(`${p}ln_2.bias`)), get(`${p}mlp.c_fc.weight`), get(`${p}mlp.c_fc.bias`), 4 * C).map(gelu);
      return lin(h, get(`${p}mlp.c_proj.weight`), get(`${p}mlp.c_proj.bias`), C).map((v, k) => v + x[k]);
    });
  }
  return xs.map((x) => {
    const h = ln(x, get("ln_f.weight"), get("ln_f.bias"));
    return Array.from({ length: c.vocabSize }, (_, v) => h.reduce((s, hv, k) => s + hv * get("wte.weight")[v * C + k], 0));
  });
}

const config: ModelConfig = { vocabSize: 50257, contextLength: 12, layers: 2, heads: 2, dModel: 8, dropout: 0, activation: "gelu_new", layerNormEpsilon: 1e-5 };

describe.each(testBackends)("import-hf on %s", (backend) => {
  let folder: string;
  let root: string;
  beforeAll(async () => {
    await initBackend(backend);
    folder = await fs.mkdtemp(path.join(os.tmpdir(), "pairwise-hf-"));
    root = await fs.mkdtemp(path.join(os.tmpdir(), "pairwise-store-"));
    await fs.writeFile(path.join(folder, "model.safetensors"), writeSafetensors(tinyGpt2(config), { format: "pt" }));
    const hfConfig = { model_type: "gpt2", vocab_size: 50257, n_positions: 12, n_ctx: 12, n_embd: 8, n_layer: 2, n_head: 2, activation_function: "gelu_new", layer_norm_epsilon: 1e-5, resid_pdrop: 0.1 };
    await fs.writeFile(path.join(folder, "config.json"), JSON.stringify(hfConfig));
  });
  afterAll(async () => {
    await fs.rm(folder, { recursive: true, force: true });
    await fs.rm(root, { recursive: true, force: true });
  });

  it("imports a tiny GPT-2 whose logits match a float64 reference", async () => {
    const store = new FolderCheckpointStore(root);
    const record = await importHf(folder, store, "gpt2-tiny");
    expect(record).toMatchObject({ kind: "base", parentId: null, backend: "import" });
    const { model, tokenizer } = await loadCheckpoint(store, "gpt2-tiny");
    expect(tokenizer.kind).toBe("gpt2");
    const ids = tokenizer.encode("Hello world, hi"); // [15496, 995, 11, 23105]
    const got = tf.tidy(() => lmLogits(model, forward(model, { ids: tf.tensor2d([ids], undefined, "int32") }).hidden).arraySync());
    const want = referenceLogits(tinyGpt2(config), config, ids);
    let worst = 0;
    want.forEach((row, t) => row.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - got[t][i])))));
    expect(worst).toBeLessThan(1e-4); // float32 against float64 on logits of size ~1
    disposeModel(model);
  });
});

describe("import-hf of reward models and heads", () => {
  let root: string;
  let rm: { model: GPT; tokenizer: Tokenizer };
  const items = [
    { prompt: "hello", response: "world" },
    { prompt: "hello world", response: "hello hello" },
  ];
  beforeAll(async () => {
    await initBackend("wasm");
    root = await fs.mkdtemp(path.join(os.tmpdir(), "pairwise-hf-rm-"));
    const tokenizer = trainByteBpe(["hello hello world"], { vocabSize: 260 });
    const model = createModel({ ...tinyConfig, vocabSize: tokenizer.vocabSize, contextLength: 48 }, { seed: 5, heads: ["reward"] });
    model.params["score.weight"].assign(tf.randomNormal([1, tinyConfig.dModel], 0, 1, "float32", 6));
    rm = { model, tokenizer };
    // A folder as transformers' save_pretrained leaves a GPT2ForSequenceClassification: the same names.
    await saveCheckpoint(new FolderCheckpointStore(path.join(root, "python")), { id: "rm", model, tokenizer, kind: "reward", parentId: null, backend: "wasm", trainingConfig: {}, metrics: {} });
  });
  afterAll(() => fs.rm(root, { recursive: true, force: true }));
  const folder = () => path.join(root, "python", "rm");

  it("imports a folder with a one-label score head as a reward model that scores as before", async () => {
    const store = new FolderCheckpointStore(path.join(root, "store"));
    const record = await importHf(folder(), store, "rm-imported");
    expect(record).toMatchObject({ kind: "reward", backend: "import" });
    const loaded = await loadCheckpoint(store, "rm-imported");
    expect(loaded.meta.scoreToken).toBe("before-end-of-text");
    const want = scoreTexts(rm, items);
    scoreTexts(loaded, items).forEach((s, i) => expect(s).toBeCloseTo(want[i], 6));
    disposeModel(loaded.model);
    await expect(importHf(folder(), store, "rm-imported")).rejects.toThrow(/rm-imported already exists in the store/);
  });

  it("imports an OpenRLHF reward model to read at end-of-text, where OpenRLHF reads it", async () => {
    const store = new FolderCheckpointStore(path.join(root, "store"));
    const otherPad = path.join(root, "openrlhf");
    await fs.cp(folder(), otherPad, { recursive: true });
    const cfg = JSON.parse(await fs.readFile(path.join(otherPad, "config.json"), "utf8"));
    await fs.writeFile(path.join(otherPad, "config.json"), JSON.stringify({ ...cfg, pad_token_id: null }));
    await importHf(otherPad, store, "rm-openrlhf", { scoreToken: "end-of-text" });
    const loaded = await loadCheckpoint(store, "rm-openrlhf");
    expect(loaded.meta.scoreToken).toBe("end-of-text");
    expect(loaded.model.scoreAtEndOfText).toBe(true);
    const atEos = scoreTexts({ ...rm, model: { ...rm.model, scoreAtEndOfText: true } }, items);
    scoreTexts(loaded, items).forEach((s, i) => expect(s).toBeCloseTo(atEos[i], 6));
    expect(atEos[0]).not.toBeCloseTo(scoreTexts(rm, items)[0], 3);
    disposeModel(loaded.model);
  });

  it("imports the same folder as an SFT model without its score head when told to", async () => {
    const store = new FolderCheckpointStore(path.join(root, "store"));
    await importHf(folder(), store, "as-sft", { kind: "sft" });
    const loaded = await loadCheckpoint(store, "as-sft");
    expect(loaded.meta.kind).toBe("sft");
    expect(Object.keys(loaded.model.params).filter((n) => !n.startsWith("transformer."))).toEqual([]);
    disposeModel(loaded.model);
  });

  it("refuses a reward import without a one-label score head, or one whose pad token is not end-of-text, and says when tokenizer.json is missing", async () => {
    const store = new FolderCheckpointStore(path.join(root, "store"));
    const lm = path.join(root, "lm");
    await saveCheckpoint(new FolderCheckpointStore(root), { id: "lm", model: rm.model, tokenizer: rm.tokenizer, kind: "sft", parentId: null, backend: "wasm", trainingConfig: {}, metrics: {} });
    const { "score.weight": _score, ...trunk } = readSafetensors(await fs.readFile(path.join(folder(), "model.safetensors"))).tensors;
    await fs.writeFile(path.join(lm, "model.safetensors"), writeSafetensors(trunk));
    await expect(importHf(lm, store, "x1", { kind: "reward" })).rejects.toThrow(/no score.weight: a reward model is saved by GPT2ForSequenceClassification/);

    const twoLabels = path.join(root, "two-labels");
    await fs.cp(folder(), twoLabels, { recursive: true });
    const C = tinyConfig.dModel;
    await fs.writeFile(path.join(twoLabels, "model.safetensors"), writeSafetensors({ ...trunk, "score.weight": { shape: [2, C], data: new Float32Array(2 * C) } }));
    await expect(importHf(twoLabels, store, "x2")).rejects.toThrow(/score.weight has 2 labels/);

    const otherPad = path.join(root, "other-pad");
    await fs.cp(folder(), otherPad, { recursive: true });
    const cfg = JSON.parse(await fs.readFile(path.join(otherPad, "config.json"), "utf8"));
    await fs.writeFile(path.join(otherPad, "config.json"), JSON.stringify({ ...cfg, pad_token_id: 0 }));
    await expect(importHf(otherPad, store, "x3")).rejects.toThrow(/pad_token_id is 0, not end-of-text/);

    // The import form sends only the files picked: without tokenizer.json, GPT-2's was assumed and the
    // refusal spoke of token counts alone.
    const noTokenizer = path.join(root, "no-tokenizer");
    await fs.cp(folder(), noTokenizer, { recursive: true });
    await fs.rm(path.join(noTokenizer, "tokenizer.json"));
    await expect(importHf(noTokenizer, store, "x4")).rejects.toThrow(
      `no tokenizer.json came with it, so GPT-2's tokenizer (50257 tokens) was assumed, and the model has only ${rm.tokenizer.vocabSize} tokens: send the folder's tokenizer.json too`,
    );
    expect(await store.list()).not.toContain("x1");
  });
});
