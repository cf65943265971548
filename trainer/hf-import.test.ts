import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { FolderCheckpointStore, loadCheckpoint } from "./checkpoint";
import { importHf } from "./hf-import";
import { disposeModel, forward, gpt2TensorShapes, lmLogits, type ModelConfig } from "./model";
import { createRng } from "./rng";
import { type HostTensor, writeSafetensors } from "./safetensors";
import { testBackends } from "./testing";

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
