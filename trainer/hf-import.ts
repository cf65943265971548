/**
 * Imports a Hugging Face GPT-2-family folder (model.safetensors + config.json [+ tokenizer.json])
 * as a checkpoint. Names from GPT2Model ("h.0..."), GPT2LMHeadModel ("transformer.h.0...") or
 * GPT2ForSequenceClassification (plus "score.weight") are accepted; Conv1D weights are already
 * [in, out], as our model keeps them. A folder with a one-label score head is a reward model
 * (one trained in Python with TRL, say), read where transformers reads it.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { CheckpointImportKind, ScoreToken } from "@/db/values";
import { CheckpointExistsError, type CheckpointRecord, type CheckpointStore, type HostModel, modelConfigFromGpt2Json, saveHostCheckpoint, tokenizerFromFiles } from "./checkpoint";
import { gpt2TensorShapes, headTensorShapes } from "./model";
import { type HostTensor, readSafetensors } from "./safetensors";
import type { Tokenizer } from "./tokenizer";

/** Buffers and tied copies that are not parameters of ours. */
const IGNORED = /(^|\.)attn\.(bias|masked_bias)$|^lm_head\.weight$/;
/** Heads outside the trunk, kept under their own names. */
const HEADS = /^(score|v_head)\./;

function hfTensorsToOurs(tensors: Record<string, HostTensor>, expected: Array<[string, number[]]>): Record<string, HostTensor> {
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

export interface ImportOptions {
  kind?: CheckpointImportKind;
  /**
   * Where the reward model was trained to read its score: "before-end-of-text" is transformers'
   * rule (TRL); "end-of-text" is OpenRLHF's (the last token its attention mask covers).
   */
  scoreToken?: ScoreToken;
  trainingConfig?: Record<string, unknown>;
}

/** What is wrong with the files themselves (as opposed to the store): the importer's to fix. */
export class CheckpointImportError extends Error {}
/** The id is taken in the store: the importer picks another. */
export class CheckpointIdTakenError extends CheckpointImportError {}

/** The files an import reads: model.safetensors and config.json, tokenizer.json if there is one. */
export const importFileNames = ["model.safetensors", "config.json", "tokenizer.json"] as const;
export type ImportFileName = (typeof importFileNames)[number];
/** An import's files by name; a missing one is absent. */
export type ImportFiles = Partial<Record<ImportFileName, Uint8Array>>;

/** The import's files that a folder holds (at its top level). */
export async function readImportFiles(folder: string): Promise<ImportFiles> {
  const files: ImportFiles = {};
  for (const name of importFileNames) {
    const bytes = await fs.readFile(path.join(/*turbopackIgnore: true*/ folder, name)).catch(() => undefined);
    if (bytes) files[name] = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return files;
}

function prepare(files: ImportFiles, opts: ImportOptions): { model: HostModel; tokenizer: Tokenizer; kind: CheckpointImportKind } {
  const { "model.safetensors": weights, "config.json": configBytes, "tokenizer.json": tokenizerBytes } = files;
  if (!weights || !configBytes) throw new CheckpointImportError("a checkpoint needs model.safetensors and config.json");
  const json = JSON.parse(new TextDecoder().decode(configBytes)) as Record<string, unknown>;
  if (typeof json !== "object" || json === null) throw new CheckpointImportError("config.json is not a JSON object");
  const config = modelConfigFromGpt2Json(json);
  const raw = readSafetensors(weights).tensors;
  const hasScore = "score.weight" in raw;
  const kind = opts.kind ?? (hasScore ? "reward" : "base");
  if (kind === "reward" && !hasScore) throw new CheckpointImportError("there is no score.weight: a reward model is saved by GPT2ForSequenceClassification with num_labels=1");
  const score = raw["score.weight"];
  if (kind === "reward" && score && score.shape[0] !== 1) throw new CheckpointImportError(`score.weight has ${score.shape[0]} labels; a reward model has one (num_labels=1)`);
  // A language model keeps no heads: a classifier's score or a TRL value head is not part of it.
  for (const name of Object.keys(raw)) if (HEADS.test(name) && !(kind === "reward" && name === "score.weight")) delete raw[name];
  const expected = [...gpt2TensorShapes(config), ...(kind === "reward" ? headTensorShapes(config, "reward") : [])];
  const tensors = hfTensorsToOurs(raw, expected);
  const tokenizer = tokenizerFromFiles(tokenizerBytes ? { "tokenizer.json": tokenizerBytes } : {}, "gpt2");
  if (tokenizer.vocabSize > config.vocabSize) {
    // Without tokenizer.json GPT-2's own is assumed; a model with its own smaller vocabulary (every Pairwise model) then
    // failed with a count mismatch that did not say the file was missing.
    throw new CheckpointImportError(
      tokenizerBytes
        ? `tokenizer has ${tokenizer.vocabSize} tokens, model only ${config.vocabSize}`
        : `no tokenizer.json came with it, so GPT-2's tokenizer (${tokenizer.vocabSize} tokens) was assumed, and the model has only ${config.vocabSize} tokens: send the folder's tokenizer.json too`,
    );
  }
  // transformers reads a score at the last token that is not pad_token_id; Pairwise at the last
  // before end-of-text. Only the same token gives the same score.
  const atEndOfText = kind === "reward" && opts.scoreToken === "end-of-text";
  if (kind === "reward" && !atEndOfText && json.pad_token_id != null && json.pad_token_id !== tokenizer.padId) {
    throw new CheckpointImportError(`config.json's pad_token_id is ${String(json.pad_token_id)}, not end-of-text (${tokenizer.padId}): transformers reads this reward model's score elsewhere than Pairwise would`);
  }
  return { model: { config, tensors, scoreAtEndOfText: atEndOfText || undefined }, tokenizer, kind };
}

/**
 * Checks a GPT-2-family checkpoint's files and saves them as checkpoint `id`. Anything wrong with
 * the files is a CheckpointImportError with the reason; nothing is written then. No tfjs: the
 * weights go from one safetensors file to the other on the host.
 */
export async function importHfFiles(files: ImportFiles, store: CheckpointStore, id: string, opts: ImportOptions = {}): Promise<CheckpointRecord> {
  let prepared: ReturnType<typeof prepare>;
  try {
    prepared = prepare(files, opts);
  } catch (err) {
    throw err instanceof CheckpointImportError ? err : new CheckpointImportError((err as Error).message, { cause: err });
  }
  const { model, tokenizer, kind } = prepared;
  try {
    // createOnly: of two imports of one new id (two uploads at once), one wins and one is told.
    return await saveHostCheckpoint(store, { id, model, tokenizer, kind, parentId: null, backend: "import", trainingConfig: opts.trainingConfig ?? {}, metrics: {} }, { createOnly: true });
  } catch (err) {
    if (err instanceof CheckpointExistsError) throw new CheckpointIdTakenError(`checkpoint ${id} already exists in the store; choose another id`, { cause: err });
    throw err;
  }
}

/** importHfFiles on a folder (the CLI's import-hf). */
export async function importHf(folder: string, store: CheckpointStore, id: string, opts: ImportOptions = {}): Promise<CheckpointRecord> {
  const files = await readImportFiles(folder);
  try {
    return await importHfFiles(files, store, id, { ...opts, trainingConfig: { source: path.resolve(folder), ...opts.trainingConfig } });
  } catch (err) {
    if (err instanceof CheckpointIdTakenError) throw err;
    if (err instanceof CheckpointImportError) throw new CheckpointImportError(`${folder}: ${err.message}`, { cause: err });
    throw err;
  }
}
