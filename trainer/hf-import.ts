/**
 * Imports a Hugging Face GPT-2-family folder (model.safetensors + config.json [+ tokenizer.json])
 * as a checkpoint. Names from GPT2Model ("h.0..."), GPT2LMHeadModel ("transformer.h.0...") or
 * GPT2ForSequenceClassification (plus "score.weight") are accepted; Conv1D weights are already
 * [in, out], as our model keeps them. A folder with a one-label score head is a reward model
 * (one trained in Python with TRL, say), read where transformers reads it.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { type CheckpointKind, type CheckpointRecord, type CheckpointStore, modelConfigFromGpt2Json, type PairwiseMeta, modelFromTensors, saveCheckpoint, tokenizerFromFiles } from "./checkpoint";
import { disposeModel, gpt2TensorShapes, headTensorShapes } from "./model";
import { type HostTensor, readSafetensors } from "./safetensors";

/** Buffers and tied copies that are not parameters of ours. */
const IGNORED = /(^|\.)attn\.(bias|masked_bias)$|^lm_head\.weight$/;
/** Heads outside the trunk, kept under their own names. */
const HEADS = /^(score|v_head)\./;

export function hfTensorsToOurs(tensors: Record<string, HostTensor>, expected: Array<[string, number[]]>): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (IGNORED.test(name)) continue;
    out[name.startsWith("transformer.") || HEADS.test(name) ? name : `transformer.${name}`] = t;
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

/** What an imported folder may become: a reward model only from a folder with a score head. */
export const importKinds = ["base", "sft", "reward"] as const satisfies readonly CheckpointKind[];
export type ImportKind = (typeof importKinds)[number];
export const scoreTokens = ["before-end-of-text", "end-of-text"] as const satisfies ReadonlyArray<NonNullable<PairwiseMeta["scoreToken"]>>;
export type ScoreToken = (typeof scoreTokens)[number];

export async function importHf(
  folder: string,
  store: CheckpointStore,
  id: string,
  opts: {
    kind?: ImportKind;
    /**
     * Where the reward model was trained to read its score: "before-end-of-text" is transformers'
     * rule (TRL); "end-of-text" is OpenRLHF's (the last token its attention mask covers).
     */
    scoreToken?: ScoreToken;
    trainingConfig?: Record<string, unknown>;
  } = {},
): Promise<CheckpointRecord> {
  if ((await store.list()).includes(id)) throw new Error(`checkpoint ${id} already exists in the store; choose another id`);
  const read = (name: string) => fs.readFile(path.join(folder, name)).then((b) => new Uint8Array(b), () => undefined);
  const [weights, configBytes, tokenizerBytes] = await Promise.all([read("model.safetensors"), read("config.json"), read("tokenizer.json")]);
  if (!weights || !configBytes) throw new Error(`${folder} needs model.safetensors and config.json`);
  const json = JSON.parse(new TextDecoder().decode(configBytes)) as Record<string, unknown>;
  const config = modelConfigFromGpt2Json(json);
  const raw = readSafetensors(weights).tensors;
  const hasScore = "score.weight" in raw;
  const kind = opts.kind ?? (hasScore ? "reward" : "base");
  if (kind === "reward" && !hasScore) throw new Error(`${folder} has no score.weight: a reward model is saved by GPT2ForSequenceClassification with num_labels=1`);
  const score = raw["score.weight"];
  if (kind === "reward" && score && score.shape[0] !== 1) throw new Error(`score.weight has ${score.shape[0]} labels; a reward model has one (num_labels=1)`);
  // A language model keeps no heads: a classifier's score or a TRL value head is not part of it.
  for (const name of Object.keys(raw)) if (HEADS.test(name) && !(kind === "reward" && name === "score.weight")) delete raw[name];
  const expected = [...gpt2TensorShapes(config), ...(kind === "reward" ? headTensorShapes(config, "reward") : [])];
  const tensors = hfTensorsToOurs(raw, expected);
  const tokenizer = tokenizerFromFiles(tokenizerBytes ? { "tokenizer.json": tokenizerBytes } : {}, "gpt2");
  if (tokenizer.vocabSize > config.vocabSize) throw new Error(`tokenizer has ${tokenizer.vocabSize} tokens, model only ${config.vocabSize}`);
  // transformers reads a score at the last token that is not pad_token_id; Pairwise at the last
  // before end-of-text. Only the same token gives the same score.
  const atEndOfText = kind === "reward" && opts.scoreToken === "end-of-text";
  if (kind === "reward" && !atEndOfText && json.pad_token_id != null && json.pad_token_id !== tokenizer.padId) {
    throw new Error(`config.json's pad_token_id is ${String(json.pad_token_id)}, not end-of-text (${tokenizer.padId}): transformers reads this reward model's score elsewhere than Pairwise would`);
  }
  const model = modelFromTensors(config, tensors);
  if (atEndOfText) model.scoreAtEndOfText = true;
  try {
    return await saveCheckpoint(store, { id, model, tokenizer, kind, parentId: null, backend: "import", trainingConfig: { source: path.resolve(folder), ...opts.trainingConfig }, metrics: {} });
  } finally {
    disposeModel(model);
  }
}
