import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { checkpointRecord, FolderCheckpointStore, loadCheckpoint, saveCheckpoint } from "./checkpoint";
import { createModel, disposeModel, forward, type GPT, gpt2TensorShapes, headTensorShapes, lmLogits, paramCount } from "./model";
import { readSafetensors, readSafetensorsHeader, writeSafetensors } from "./safetensors";
import { scoreTexts } from "./score";
import { encodeExample } from "./sequences";
import { tinyConfig } from "./testing";
import { trainByteBpe } from "./tokenizer";

const logitsOf = (model: GPT, ids: number[][]) => tf.tidy(() => lmLogits(model, forward(model, { ids: tf.tensor2d(ids, undefined, "int32") }).hidden).dataSync());

describe("checkpoints", () => {
  let root: string;
  beforeAll(async () => {
    await initBackend("wasm");
    root = await fs.mkdtemp(path.join(os.tmpdir(), "pairwise-ckpt-"));
  });
  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  it("writes and reads safetensors byte-exactly, with metadata", () => {
    const bytes = writeSafetensors({ a: { shape: [2, 2], data: Float32Array.of(1, -2, 3.5, 1e-30) }, b: { shape: [1], data: Float32Array.of(7) } }, { note: "x" });
    const { header, dataStart } = readSafetensorsHeader(bytes);
    expect(dataStart % 8).toBe(0);
    expect(header.a).toEqual({ dtype: "F32", shape: [2, 2], data_offsets: [0, 16] });
    const back = readSafetensors(bytes);
    expect(Array.from(back.tensors.a.data)).toEqual(Array.from(Float32Array.of(1, -2, 3.5, 1e-30)));
    expect(back.metadata).toEqual({ note: "x" });
  });

  it("reads F32 data as views when aligned and as copies when not, F16 and BF16 as float32, and refuses data past the end", () => {
    const bytes = writeSafetensors({ a: { shape: [2], data: Float32Array.of(1, -2.5) } });
    const { dataStart } = readSafetensorsHeader(bytes);
    expect(Array.from(bytes.subarray(dataStart, dataStart + 4))).toEqual([0, 0, 0x80, 0x3f]); // 1.0f, little-endian
    const aligned = readSafetensors(bytes).tensors.a.data;
    expect(aligned.buffer).toBe(bytes.buffer);
    expect(Array.from(aligned)).toEqual([1, -2.5]);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const unaligned = readSafetensors(shifted.subarray(1)).tensors.a.data;
    expect(unaligned.buffer).not.toBe(shifted.buffer);
    expect(Array.from(unaligned)).toEqual([1, -2.5]);

    const withHeader = (header: object, data: number[]) => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + json.length + data.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      out.set(data, 8 + json.length);
      return out;
    };
    // 1.0 and -2.5: F16 0x3c00, 0xc100; BF16 0x3f80, 0xc020 (little-endian byte pairs).
    const halves = readSafetensors(withHeader({ h: { dtype: "F16", shape: [2], data_offsets: [0, 4] }, b: { dtype: "BF16", shape: [2], data_offsets: [4, 8] } }, [0x00, 0x3c, 0x00, 0xc1, 0x80, 0x3f, 0x20, 0xc0]));
    expect(Array.from(halves.tensors.h.data)).toEqual([1, -2.5]);
    expect(Array.from(halves.tensors.b.data)).toEqual([1, -2.5]);
    expect(() => readSafetensors(withHeader({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, [0, 0, 0x80, 0x3f]))).toThrow("data_offsets run past the end of the file");
  });

  it("saves a reward model under GPT-2's names and shapes and loads it back with identical logits", async () => {
    const store = new FolderCheckpointStore(root);
    const tokenizer = trainByteBpe(["hello hello world"], { vocabSize: 260 });
    const config = { ...tinyConfig, vocabSize: tokenizer.vocabSize };
    const model = createModel(config, { seed: 9, heads: ["reward"] });
    const record = await saveCheckpoint(store, { id: "rm-1", model, tokenizer, kind: "reward", parentId: "sft-0", backend: "wasm", trainingConfig: { lr: 1e-3 }, metrics: { "reward/accuracy": 0.75 } });
    expect(record).toMatchObject({ id: "rm-1", kind: "reward", parentId: "sft-0", backend: "wasm", paramCount: paramCount(model), metrics: { "reward/accuracy": 0.75 } });
    expect(record.sizeBytes).toBeGreaterThan(paramCount(model) * 4);
    expect(await checkpointRecord(store, "rm-1")).toEqual(record);
    expect(await store.list()).toEqual(["rm-1"]);

    const files = await store.load("rm-1");
    const { header } = readSafetensorsHeader(files["model.safetensors"]);
    const expected = [...gpt2TensorShapes(config), ...headTensorShapes(config, "reward")];
    const names = Object.keys(header).filter((k) => k !== "__metadata__");
    expect(names.sort()).toEqual(expected.map(([n]) => n).sort());
    for (const [name, shape] of expected) expect(header[name]).toMatchObject({ dtype: "F32", shape });
    expect(header["transformer.h.1.attn.c_attn.weight"].shape).toEqual([16, 48]); // Conv1D [in, out]
    const cfg = JSON.parse(new TextDecoder().decode(files["config.json"]));
    expect(cfg).toMatchObject({ model_type: "gpt2", n_embd: 16, n_layer: 2, n_head: 2, n_positions: 16, n_ctx: 16, vocab_size: 260, activation_function: "quick_gelu", layer_norm_epsilon: 1e-5, tie_word_embeddings: true, eos_token_id: tokenizer.eosId });
    // AutoModelForSequenceClassification refuses a [1, C] score.weight unless the config says one label.
    expect(cfg).toMatchObject({ architectures: ["GPT2ForSequenceClassification"], id2label: { "0": "LABEL_0" }, pad_token_id: tokenizer.padId });
    const tokCfg = JSON.parse(new TextDecoder().decode(files["tokenizer_config.json"]));
    expect(tokCfg).toMatchObject({ tokenizer_class: "GPT2Tokenizer", eos_token: "<|endoftext|>", pad_token: "<|endoftext|>", model_max_length: 16 });

    const loaded = await loadCheckpoint(store, "rm-1");
    expect(loaded.meta.trainingConfig).toEqual({ lr: 1e-3 });
    expect(loaded.tokenizer.encode("hello world")).toEqual(tokenizer.encode("hello world"));
    expect(Array.from(logitsOf(loaded.model, [[1, 2, 3, 4]]))).toEqual(Array.from(logitsOf(model, [[1, 2, 3, 4]])));
    disposeModel(model);
    disposeModel(loaded.model);
  });

  it("reads a reward model saved before scoreToken existed at end-of-text, where it was trained, and a new one just before it", async () => {
    const store = new FolderCheckpointStore(root);
    const tokenizer = trainByteBpe(["hello hello world"], { vocabSize: 260 });
    const model = createModel({ ...tinyConfig, vocabSize: tokenizer.vocabSize, contextLength: 48 }, { seed: 3, heads: ["reward"] });
    model.params["score.weight"].assign(tf.randomNormal([1, tinyConfig.dModel], 0, 1, "float32", 4));
    const save = (id: string, m: GPT) => saveCheckpoint(store, { id, model: m, tokenizer, kind: "reward", parentId: null, backend: "wasm", trainingConfig: {}, metrics: {} });
    await save("rm-new", model);
    const files = await store.load("rm-new");
    const meta = JSON.parse(new TextDecoder().decode(files["pairwise.json"]));
    expect(meta.scoreToken).toBe("before-end-of-text");
    delete meta.scoreToken; // as every reward checkpoint before this field was written
    await store.save("rm-old", { ...files, "pairwise.json": new TextEncoder().encode(JSON.stringify(meta)) });

    const item = { prompt: "hello", response: "hello world" };
    const { promptIds, responseIds } = encodeExample(tokenizer, item.prompt, item.response, 48);
    const ids = [...promptIds, ...responseIds];
    expect(ids.at(-1)).toBe(tokenizer.eosId);
    const scoreAt = (t: number) =>
      tf.tidy(() => {
        const hidden = forward(model, { ids: tf.tensor2d([ids], undefined, "int32") }).hidden;
        return tf.sum(tf.mul(tf.slice(hidden, [t, 0], [1, -1]), model.params["score.weight"])).dataSync()[0];
      });
    // The record the app registers says where each reads.
    expect((await checkpointRecord(store, "rm-new")).config.scoreToken).toBe("before-end-of-text");
    expect((await checkpointRecord(store, "rm-old")).config.scoreToken).toBe("end-of-text");
    const fresh = await loadCheckpoint(store, "rm-new");
    const old = await loadCheckpoint(store, "rm-old");
    expect(fresh.model.scoreAtEndOfText).toBeUndefined();
    expect(old.model.scoreAtEndOfText).toBe(true);
    expect(scoreTexts(fresh, [item])[0]).toBeCloseTo(scoreAt(ids.length - 2), 5);
    expect(scoreTexts(old, [item])[0]).toBeCloseTo(scoreAt(ids.length - 1), 5);
    expect(scoreAt(ids.length - 1)).not.toBeCloseTo(scoreAt(ids.length - 2), 2);
    // Saved again (a copy, an import), the old one keeps its reading point.
    await save("rm-old-copy", old.model);
    expect((await loadCheckpoint(store, "rm-old-copy")).meta.scoreToken).toBe("end-of-text");
    for (const m of [model, fresh.model, old.model]) disposeModel(m);
  });

  it("refuses ids that could escape the store's folder", () => {
    expect(() => new FolderCheckpointStore(root).path("../x")).toThrow(/checkpoint id/);
  });
});
