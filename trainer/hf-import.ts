/**
 * Imports a Hugging Face GPT-2-family folder (model.safetensors + config.json [+ tokenizer.json])
 * as a base checkpoint. Names from GPT2Model ("h.0...") or GPT2LMHeadModel ("transformer.h.0...")
 * are accepted; Conv1D weights are already [in, out], as our model keeps them.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { type CheckpointRecord, type CheckpointStore, modelConfigFromGpt2Json, modelFromTensors, saveCheckpoint, tokenizerFromFiles } from "./checkpoint";
import { disposeModel, gpt2TensorShapes } from "./model";
import { type HostTensor, readSafetensors } from "./safetensors";

/** Buffers and tied copies that are not parameters of ours. */
const IGNORED = /(^|\.)attn\.(bias|masked_bias)$|^lm_head\.weight$/;

export function hfTensorsToOurs(tensors: Record<string, HostTensor>, expected: Array<[string, number[]]>): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (IGNORED.test(name)) continue;
    out[name.startsWith("transformer.") ? name : `transformer.${name}`] = t;
  }
  for (const [name, shape] of expected) {
    const t = out[name];
    if (!t) throw new Error(`model.safetensors lacks ${name}`);
    if (t.shape.join() !== shape.join()) throw new Error(`${name} has shape [${t.shape}], config.json implies [${shape}]`);
  }
  const extra = Object.keys(out).filter((n) => !expected.some(([e]) => e === n));
  if (extra.length) throw new Error(`unexpected tensors (not GPT-2): ${extra.slice(0, 5).join(", ")}`);
  return out;
}

export async function importHf(folder: string, store: CheckpointStore, id: string, trainingConfig: Record<string, unknown> = {}): Promise<CheckpointRecord> {
  const read = (name: string) => fs.readFile(path.join(folder, name)).then((b) => new Uint8Array(b), () => undefined);
  const [weights, configBytes, tokenizerBytes] = await Promise.all([read("model.safetensors"), read("config.json"), read("tokenizer.json")]);
  if (!weights || !configBytes) throw new Error(`${folder} needs model.safetensors and config.json`);
  const config = modelConfigFromGpt2Json(JSON.parse(new TextDecoder().decode(configBytes)));
  const tensors = hfTensorsToOurs(readSafetensors(weights).tensors, gpt2TensorShapes(config));
  const tokenizer = tokenizerFromFiles(tokenizerBytes ? { "tokenizer.json": tokenizerBytes } : {}, "gpt2");
  if (tokenizer.vocabSize > config.vocabSize) throw new Error(`tokenizer has ${tokenizer.vocabSize} tokens, model only ${config.vocabSize}`);
  const model = modelFromTensors(config, tensors);
  try {
    return await saveCheckpoint(store, { id, model, tokenizer, kind: "base", parentId: null, backend: "import", trainingConfig: { source: path.resolve(folder), ...trainingConfig }, metrics: {} });
  } finally {
    disposeModel(model);
  }
}
