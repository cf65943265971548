/**
 * Checkpoints: model.safetensors (Hugging Face GPT2LMHeadModel names and shapes), a GPT-2
 * config.json, tokenizer.json and pairwise.json (kind, lineage, training config, metrics),
 * kept in a CheckpointStore. Registering a checkpoint in Postgres is the worker's job: it
 * calls checkpointRecord() for the row.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { CheckpointKind, ScoreToken } from "@/db/values";
import type { BackendName } from "./env";
import { trainerEnv } from "./env";
import { type GPT, type ModelConfig, validateConfig, variableFrom } from "./model";
import { type HostTensor, readSafetensors, writeSafetensors } from "./safetensors";
import { END_OF_TEXT, Gpt2Tokenizer, type Tokenizer, tokenizerFromJson } from "./tokenizer";

/** Where checkpoint files live; a folder today, object storage behind the same four calls later. */
export interface CheckpointStore {
  /** Writes checkpoint `id`, replacing one of that id; with createOnly, a CheckpointExistsError instead. */
  save(id: string, files: Record<string, Uint8Array>, opts?: { createOnly?: boolean }): Promise<void>;
  load(id: string): Promise<Record<string, Uint8Array>>;
  list(): Promise<string[]>;
  /** A human-readable location (a folder path, a URL). */
  path(id: string): string;
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A createOnly save found the id taken (another import of the same name got there first). */
export class CheckpointExistsError extends Error {}

const storeErrnoReasons: Record<string, string> = {
  EROFS: "the folder is on a read-only file system",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exceeded",
};

function storeWriteError(id: string, root: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = (code && storeErrnoReasons[code]) ?? (err instanceof Error ? err.message : String(err));
  return new Error(`The checkpoint store could not write ${id} in ${root}: ${reason}${code ? ` (${code})` : ""}. Nothing was saved.`, { cause: err });
}

export class FolderCheckpointStore implements CheckpointStore {
  constructor(readonly root: string = trainerEnv.CHECKPOINT_DIR) {}

  path(id: string): string {
    if (!SAFE_ID.test(id)) throw new Error(`checkpoint id "${id}" must be letters, digits, ".", "_" or "-"`);
    return path.resolve(this.root, id);
  }

  /**
   * Writes into a temporary folder and renames it, so a reader never sees half a checkpoint.
   * A failed write (read-only folder, full disk) removes the temporary folder and says which
   * checkpoint and folder, so the run fails with a reason instead of a bare errno. createOnly
   * renames without removing first: renaming onto a folder with files fails, so of two saves of
   * one new id exactly one wins.
   */
  async save(id: string, files: Record<string, Uint8Array>, opts: { createOnly?: boolean } = {}): Promise<void> {
    const dir = this.path(id);
    const tmp = `${dir}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
    try {
      await fs.mkdir(this.root, { recursive: true });
      // Not recursive: on a read-only file system a recursive mkdir reports ENOENT, not EROFS.
      await fs.mkdir(tmp);
      for (const [name, bytes] of Object.entries(files)) await fs.writeFile(path.join(tmp, name), bytes);
    } catch (err) {
      await fs.rm(tmp, { recursive: true, force: true }).catch(() => {});
      throw storeWriteError(id, this.root, err);
    }
    if (!opts.createOnly) await fs.rm(dir, { recursive: true, force: true });
    try {
      await fs.rename(tmp, dir);
    } catch (err) {
      await fs.rm(tmp, { recursive: true, force: true }).catch(() => {});
      const code = (err as NodeJS.ErrnoException).code;
      if (opts.createOnly && (code === "ENOTEMPTY" || code === "EEXIST")) throw new CheckpointExistsError(`checkpoint ${id} already exists in the store`, { cause: err });
      throw storeWriteError(id, this.root, err);
    }
  }

  async load(id: string): Promise<Record<string, Uint8Array>> {
    const dir = this.path(id);
    const files: Record<string, Uint8Array> = {};
    for (const name of await fs.readdir(dir)) files[name] = new Uint8Array(await fs.readFile(path.join(dir, name)));
    return files;
  }

  async list(): Promise<string[]> {
    const entries = await fs.readdir(this.root, { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory() && SAFE_ID.test(e.name) && !e.name.includes(".tmp-")).map((e) => e.name).sort();
  }
}

/** pairwise.json: what the Python ecosystem does not need but our lineage does. */
export interface PairwiseMeta {
  id: string;
  kind: CheckpointKind;
  parentId: string | null;
  backend: BackendName | "import";
  createdAt: string;
  tokenizer: "bpe" | "gpt2";
  model: ModelConfig;
  paramCount: number;
  /** The resolved config of the command or job that produced it. */
  trainingConfig: Record<string, unknown>;
  metrics: Record<string, number>;
  /**
   * Reward models only: the token the score is read at. "before-end-of-text" is transformers'
   * GPT2ForSequenceClassification rule (model.scoreTokenIndex). Reward models saved before it
   * lack the field and were trained at end-of-text; they are read there still (GPT.scoreAtEndOfText).
   */
  scoreToken?: ScoreToken;
}

/** The row the worker registers in Postgres. */
export interface CheckpointRecord {
  id: string;
  kind: CheckpointKind;
  parentId: string | null;
  backend: string;
  sizeBytes: number;
  paramCount: number;
  config: Record<string, unknown>;
  metrics: Record<string, number>;
  createdAt: string;
  location: string;
}

/**
 * config.json as transformers' GPT2Config reads it. A reward model names
 * GPT2ForSequenceClassification with one label, so AutoModelForSequenceClassification loads its
 * [1, C] score.weight as it is (the default of two labels refuses it).
 */
export function gpt2ConfigJson(c: ModelConfig, tokenizer: Tokenizer, kind: CheckpointKind = "base"): Record<string, unknown> {
  const head = kind === "reward" ? { architectures: ["GPT2ForSequenceClassification"], id2label: { "0": "LABEL_0" }, label2id: { LABEL_0: 0 } } : { architectures: ["GPT2LMHeadModel"] };
  return {
    ...head,
    model_type: "gpt2",
    vocab_size: c.vocabSize,
    n_positions: c.contextLength,
    n_ctx: c.contextLength,
    n_embd: c.dModel,
    n_layer: c.layers,
    n_head: c.heads,
    n_inner: null,
    activation_function: c.activation,
    resid_pdrop: c.dropout,
    embd_pdrop: c.dropout,
    attn_pdrop: c.dropout,
    layer_norm_epsilon: c.layerNormEpsilon,
    initializer_range: 0.02,
    tie_word_embeddings: true,
    bos_token_id: tokenizer.eosId,
    eos_token_id: tokenizer.eosId,
    pad_token_id: tokenizer.padId,
    torch_dtype: "float32",
  };
}

/**
 * tokenizer_config.json beside tokenizer.json, so AutoTokenizer knows the special tokens: without
 * it transformers has no pad token (padding a batch fails) and a context of 10^30 tokens.
 * clean_up_tokenization_spaces is off so decoding gives back the text byte for byte, as ours does.
 */
export function hfTokenizerConfig(contextLength: number): Record<string, unknown> {
  return {
    tokenizer_class: "GPT2Tokenizer",
    bos_token: END_OF_TEXT,
    eos_token: END_OF_TEXT,
    unk_token: END_OF_TEXT,
    pad_token: END_OF_TEXT,
    model_max_length: contextLength,
    padding_side: "right",
    add_prefix_space: false,
    clean_up_tokenization_spaces: false,
  };
}

/** Reads a GPT-2 config.json (ours or the Hub's) into a ModelConfig. */
export function modelConfigFromGpt2Json(j: Record<string, unknown>): ModelConfig {
  if (j.model_type !== "gpt2") throw new Error(`config.json model_type is ${String(j.model_type)}, expected gpt2`);
  const num = (k: string, fallback?: number): number => {
    const v = j[k] ?? fallback;
    if (typeof v !== "number") throw new Error(`config.json lacks a number for ${k}`);
    return v;
  };
  if (j.n_inner != null && j.n_inner !== 4 * num("n_embd")) throw new Error("config.json n_inner other than 4 * n_embd is not supported");
  const config: ModelConfig = {
    vocabSize: num("vocab_size"),
    contextLength: num("n_positions"),
    layers: num("n_layer"),
    heads: num("n_head"),
    dModel: num("n_embd"),
    dropout: num("resid_pdrop", 0),
    activation: (j.activation_function ?? "gelu_new") as ModelConfig["activation"],
    layerNormEpsilon: num("layer_norm_epsilon", 1e-5),
  };
  validateConfig(config);
  return config;
}

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2) + "\n");
const parseJson = (bytes: Uint8Array | undefined, name: string) => {
  if (!bytes) throw new Error(`checkpoint has no ${name}`);
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
};

export interface SaveCheckpointInput {
  id: string;
  model: GPT;
  tokenizer: Tokenizer;
  kind: CheckpointKind;
  parentId: string | null;
  backend: PairwiseMeta["backend"];
  trainingConfig: Record<string, unknown>;
  metrics: Record<string, number>;
}

/** A model's weights on the host: what a checkpoint stores, without tfjs (an import never needs it). */
export interface HostModel {
  config: ModelConfig;
  tensors: Record<string, HostTensor>;
  /** See GPT.scoreAtEndOfText. */
  scoreAtEndOfText?: boolean;
}

function hostModel(model: GPT): HostModel {
  const tensors: Record<string, HostTensor> = {};
  for (const [name, p] of Object.entries(model.params)) tensors[name] = { shape: p.shape, data: p.dataSync() as Float32Array };
  return { config: model.config, tensors, scoreAtEndOfText: model.scoreAtEndOfText };
}

export type SaveHostCheckpointInput = Omit<SaveCheckpointInput, "model"> & { model: HostModel };

/** The files of a checkpoint; tokenizer.json and tokenizer_config.json are omitted for the shared GPT-2 tokenizer. */
export function checkpointFiles(input: SaveCheckpointInput): Record<string, Uint8Array> {
  return hostCheckpointFiles({ ...input, model: hostModel(input.model) });
}

function hostCheckpointFiles(input: SaveHostCheckpointInput): Record<string, Uint8Array> {
  const { config, tensors } = input.model;
  const meta: PairwiseMeta = {
    id: input.id,
    kind: input.kind,
    parentId: input.parentId,
    backend: input.backend,
    createdAt: new Date().toISOString(),
    tokenizer: input.tokenizer.kind,
    model: config,
    paramCount: Object.values(tensors).reduce((n, t) => n + t.data.length, 0),
    trainingConfig: input.trainingConfig,
    metrics: input.metrics,
    ...(input.kind === "reward" ? { scoreToken: input.model.scoreAtEndOfText ? "end-of-text" : "before-end-of-text" } : {}),
  };
  const files: Record<string, Uint8Array> = {
    "model.safetensors": writeSafetensors(tensors, { format: "pt", pairwise_kind: input.kind }),
    "config.json": json(gpt2ConfigJson(config, input.tokenizer, input.kind)),
    "pairwise.json": json(meta),
  };
  const tok = input.tokenizer.toJSON();
  if (tok) {
    files["tokenizer.json"] = json(tok);
    files["tokenizer_config.json"] = json(hfTokenizerConfig(config.contextLength));
  }
  return files;
}

export async function saveCheckpoint(store: CheckpointStore, input: SaveCheckpointInput): Promise<CheckpointRecord> {
  return saveHostCheckpoint(store, { ...input, model: hostModel(input.model) });
}

export async function saveHostCheckpoint(store: CheckpointStore, input: SaveHostCheckpointInput, opts: { createOnly?: boolean } = {}): Promise<CheckpointRecord> {
  const files = hostCheckpointFiles(input);
  await store.save(input.id, files, opts);
  return recordFromFiles(store, input.id, files);
}

function recordFromFiles(store: CheckpointStore, id: string, files: Record<string, Uint8Array>): CheckpointRecord {
  const meta = parseJson(files["pairwise.json"], "pairwise.json") as unknown as PairwiseMeta;
  return {
    id: meta.id,
    kind: meta.kind,
    parentId: meta.parentId,
    backend: meta.backend,
    sizeBytes: Object.values(files).reduce((n, f) => n + f.length, 0),
    paramCount: meta.paramCount,
    // A reward model's reading point; one without scoreToken was saved before it existed (end-of-text).
    config: { model: meta.model, training: meta.trainingConfig, tokenizer: meta.tokenizer, ...(meta.kind === "reward" ? { scoreToken: meta.scoreToken ?? "end-of-text" } : {}) },
    metrics: meta.metrics,
    createdAt: meta.createdAt,
    location: store.path(id),
  };
}

/** Metadata for registering a stored checkpoint (the checkpoints table row). */
export async function checkpointRecord(store: CheckpointStore, id: string): Promise<CheckpointRecord> {
  return recordFromFiles(store, id, await store.load(id));
}

export function tokenizerFromFiles(files: Record<string, Uint8Array>, kind: "bpe" | "gpt2"): Tokenizer {
  if (files["tokenizer.json"]) return tokenizerFromJson(parseJson(files["tokenizer.json"], "tokenizer.json"));
  if (kind === "gpt2") return new Gpt2Tokenizer();
  throw new Error("checkpoint has no tokenizer.json");
}

/** Builds a model from safetensors in our names (transformer.*, score, v_head) for a config. */
function modelFromTensors(config: ModelConfig, tensors: Record<string, HostTensor>): GPT {
  const params: GPT["params"] = {};
  for (const [name, t] of Object.entries(tensors)) {
    params[name] = variableFrom(tf.tensor(t.data, t.shape), true);
  }
  return { config, params };
}

export async function loadCheckpoint(store: CheckpointStore, id: string): Promise<{ model: GPT; tokenizer: Tokenizer; meta: PairwiseMeta }> {
  const files = await store.load(id);
  const meta = parseJson(files["pairwise.json"], "pairwise.json") as unknown as PairwiseMeta;
  const config = modelConfigFromGpt2Json(parseJson(files["config.json"], "config.json"));
  const weights = files["model.safetensors"];
  if (!weights) throw new Error(`checkpoint ${id} has no model.safetensors`);
  const model = modelFromTensors(config, readSafetensors(weights).tensors);
  if (meta.kind === "reward" && meta.scoreToken !== "before-end-of-text") model.scoreAtEndOfText = true;
  return { model, tokenizer: tokenizerFromFiles(files, meta.tokenizer), meta };
}
