/**
 * Do Pairwise's checkpoints compute in Hugging Face transformers what they compute here?
 *
 * writeParityCheckpoints saves five folders the way the trainer saves them: the shipped demo-base
 * and demo-sft; demo-sft's weights with activation gelu_new (the form imported GPT-2 checkpoints
 * use); a reward model (demo-sft's trunk, a random score head); a policy with a random value
 * head. hf-parity.py loads each with AutoTokenizer and AutoModelForCausalLM (or
 * AutoModelForSequenceClassification), as a Python user would, and compareWithTransformers checks,
 * text by text: the token ids, the logits at every position, the reward score (one text at a time
 * and as padded batches on both sides) and the value head; and that the reward model, saved again
 * by transformers' save_pretrained, imports (import-hf) as a reward model that scores the same.
 * Used by trainer/hf-parity.test.ts and `npm run bench:hf-parity`.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { FolderCheckpointStore, loadCheckpoint, saveCheckpoint } from "./checkpoint";
import { importHf } from "./hf-import";
import { addHeads, disposeModel, forward, type GPT, lmLogits, tokenValues } from "./model";
import { formatExample, formatPrompt, type PromptInput } from "./prompt-format";
import { scoreTexts } from "./score";
import { encodeExample } from "./sequences";
import { shippedBaseId, shippedCheckpointDir, shippedSftId } from "./shipped";
import type { Tokenizer } from "./tokenizer";

interface ParityCase {
  prompt: PromptInput;
  /** Absent: the prompt alone, as generation sees it. */
  response?: string;
}

const parityCases: ParityCase[] = [
  { prompt: "Define: harbor", response: "A sheltered port where ships can take on or discharge cargo." },
  { prompt: "Define: lantern" },
  {
    prompt: [
      { role: "system", content: "Answer in one sentence." },
      { role: "user", content: "Define: river" },
      { role: "assistant", content: "A large natural stream of water." },
      { role: "user", content: "And a brook?" },
    ],
    response: "A small stream.",
  },
  { prompt: "Définir : café, 東京 🎉", response: "Ünï  two  spaces\tand a tab." },
  { prompt: "Define: end", response: "Text that mentions <|endoftext|> in the middle, then stops." },
  { prompt: "Define: x", response: "" },
];

const textOf = (c: ParityCase) => (c.response === undefined ? formatPrompt(c.prompt) : formatExample(c.prompt, c.response));
const idsOf = (tok: Tokenizer, c: ParityCase, maxLength: number) => {
  if (c.response === undefined) return tok.encode(formatPrompt(c.prompt));
  const e = encodeExample(tok, c.prompt, c.response, maxLength);
  return [...e.promptIds, ...e.responseIds];
};

export interface ParityModel {
  name: string;
  kind: "lm" | "reward" | "value";
  model: GPT;
  tokenizer: Tokenizer;
}

function randomise(model: GPT, name: string, seed: number): void {
  const v = model.params[name]!;
  v.assign(tf.randomNormal(v.shape, 0, 0.5, "float32", seed));
}

/** Saves the five checkpoints and dir/cases.json (folders named relative to dir) for hf-parity.py. */
export async function writeParityCheckpoints(dir: string): Promise<{ models: ParityModel[]; casesFile: string }> {
  const shipped = new FolderCheckpointStore(shippedCheckpointDir);
  const load = (id: string) => loadCheckpoint(shipped, id);
  const geluNew = await load(shippedSftId);
  geluNew.model.config = { ...geluNew.model.config, activation: "gelu_new" };
  const reward = await load(shippedSftId);
  addHeads(reward.model, ["reward"]);
  randomise(reward.model, "score.weight", 1);
  const policy = await load(shippedSftId);
  addHeads(policy.model, ["value"]);
  randomise(policy.model, "v_head.summary.weight", 2);
  randomise(policy.model, "v_head.summary.bias", 3);
  const models: ParityModel[] = [
    { name: "demo-base", kind: "lm", ...(await load(shippedBaseId)) },
    { name: "demo-sft", kind: "lm", ...(await load(shippedSftId)) },
    { name: "sft-gelu-new", kind: "lm", ...geluNew },
    { name: "reward", kind: "reward", ...reward },
    { name: "policy-value-head", kind: "value", ...policy },
  ];
  const store = new FolderCheckpointStore(dir);
  for (const m of models) {
    const kind = m.kind === "reward" ? "reward" : m.kind === "value" ? "policy" : "sft";
    await saveCheckpoint(store, { id: m.name, model: m.model, tokenizer: m.tokenizer, kind, parentId: null, backend: "import", trainingConfig: {}, metrics: {} });
  }
  for (const c of parityCases) {
    const n = idsOf(models[0].tokenizer, c, Infinity).length;
    if (n > models[0].model.config.contextLength) throw new Error(`case "${textOf(c)}" has ${n} tokens, over the models' context`);
  }
  const casesFile = path.join(dir, "cases.json");
  const texts = parityCases.map(textOf);
  await fs.writeFile(casesFile, JSON.stringify({ models: models.map((m) => ({ name: m.name, dir: m.name, kind: m.kind, texts })), batch: texts }));
  return { models, casesFile };
}

interface HfText {
  ids: number[];
  logits_f32?: string; // [T, V] float32 little-endian, base64
  score?: number;
  values?: number[];
}
interface HfModel {
  name: string;
  tokenizer_class: string;
  model_class: string;
  texts: HfText[];
  batch_scores?: number[];
  padding_side?: string;
}
export interface HfOutput {
  versions: Record<string, string>;
  models: HfModel[];
}

const hfParityScript = fileURLToPath(new URL("./hf-parity.py", import.meta.url));

/** Whether `python` can import torch and transformers: null if it can, else why not. */
export function transformersMissing(python: string): string | null {
  const r = spawnSync(python, ["-c", "import torch, transformers, safetensors"], { encoding: "utf8" });
  if (r.error) return `${python}: ${r.error.message}`;
  return r.status === 0 ? null : `${python} cannot import torch, transformers and safetensors: ${r.stderr.trim().split("\n").at(-1)}`;
}

/** Runs hf-parity.py on cases.json with `python`. */
export function runTransformers(python: string, casesFile: string, device = "cpu"): HfOutput {
  const r = spawnSync(python, [hfParityScript, casesFile, "--device", device], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`hf-parity.py failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr.split("\n").slice(-15).join("\n")}`);
  return JSON.parse(r.stdout) as HfOutput;
}

export interface ParityCheck {
  model: string;
  what: string;
  /** Largest absolute difference (0 for an exact comparison such as token ids). */
  maxDiff: number;
  ok: boolean;
  line: string;
}

/** float32 on two libraries, logits and scores of size ~10 */
const PARITY_TOLERANCE = 1e-3;

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const argmax = (r: ArrayLike<number>) => {
  let k = 0;
  for (let i = 1; i < r.length; i++) if (r[i] > r[k]) k = i;
  return k;
};
const fmt = (x: number) => x.toExponential(1);

/**
 * Pairwise's own outputs for the same texts, checked against transformers'. `dir` is the folder
 * writeParityCheckpoints wrote, where hf-parity.py left the reward model as transformers saves it.
 */
export async function compareWithTransformers(models: ParityModel[], hf: HfOutput, dir: string): Promise<ParityCheck[]> {
  const checks: ParityCheck[] = [];
  const add = (model: string, what: string, maxDiff: number, detail: string) =>
    checks.push({ model, what, maxDiff, ok: maxDiff < PARITY_TOLERANCE, line: `${model}: ${detail}` });
  for (const m of models) {
    const theirs = hf.models.find((x) => x.name === m.name);
    if (!theirs) throw new Error(`transformers' output has no model ${m.name}`);
    const ours = parityCases.map((c) => idsOf(m.tokenizer, c, m.model.config.contextLength));
    const idsDiffer = ours.filter((ids, i) => JSON.stringify(ids) !== JSON.stringify(theirs.texts[i].ids)).length;
    add(m.name, "token ids", idsDiffer, `${theirs.tokenizer_class} gives the same token ids for ${ours.length - idsDiffer} of ${ours.length} texts`);
    if (m.kind === "reward") {
      // A prompt alone is not something a reward model scores; the rest are (prompt, response).
      const scored = parityCases.flatMap((c, i) => (c.response === undefined ? [] : [{ i, item: { prompt: c.prompt, response: c.response } }]));
      const theirSingle = scored.map((s) => theirs.texts[s.i].score!);
      const one = scored.map((s) => scoreTexts(m, [s.item])[0]);
      add(m.name, "score", maxAbsDiff(one, theirSingle), `${theirs.model_class} score, one text at a time: max |diff| ${fmt(maxAbsDiff(one, theirSingle))} (scores ${one.map((x) => x.toFixed(3)).join(", ")})`);
      const batch = scoreTexts(m, scored.map((s) => s.item));
      add(m.name, "score, Pairwise batch", maxAbsDiff(batch, theirSingle), `Pairwise's scores as one padded batch against transformers' one at a time: max |diff| ${fmt(maxAbsDiff(batch, theirSingle))}`);
      const theirBatch = scored.map((s) => theirs.batch_scores![s.i]);
      add(m.name, "score, transformers batch", maxAbsDiff(theirBatch, theirSingle), `transformers' scores as one ${theirs.padding_side}-padded batch against one at a time: max |diff| ${fmt(maxAbsDiff(theirBatch, theirSingle))}`);
      const store = new FolderCheckpointStore(path.join(dir, "imported"));
      const record = await importHf(path.join(dir, `${m.name}-saved-by-transformers`), store, m.name);
      const back = await loadCheckpoint(store, record.id);
      const again = scoreTexts(back, scored.map((s) => s.item));
      disposeModel(back.model);
      add(m.name, "score after import", record.kind === "reward" ? maxAbsDiff(again, theirSingle) : Infinity, `saved by transformers, imported as a ${record.kind} model: scores max |diff| ${fmt(maxAbsDiff(again, theirSingle))}`);
      continue;
    }
    let worst = 0;
    let worstValue = 0;
    let sameArgmax = 0;
    let positions = 0;
    const V = m.model.config.vocabSize;
    ours.forEach((ids, i) => {
      const t = theirs.texts[i];
      const their = new Float32Array(Uint8Array.from(Buffer.from(t.logits_f32!, "base64")).buffer); // copied: a Buffer's offset need not be 4-aligned
      tf.tidy(() => {
        const hidden = forward(m.model, { ids: tf.tensor2d([ids], [1, ids.length], "int32") }).hidden;
        const logits = lmLogits(m.model, hidden).dataSync();
        if (their.length !== logits.length) {
          worst = Infinity;
          return;
        }
        for (let p = 0; p < ids.length; p++) {
          const a = logits.subarray(p * V, (p + 1) * V);
          const b = their.subarray(p * V, (p + 1) * V);
          worst = Math.max(worst, maxAbsDiff(a, b));
          if (argmax(a) === argmax(b)) sameArgmax++;
          positions++;
        }
        if (m.kind === "value") worstValue = Math.max(worstValue, maxAbsDiff(tokenValues(m.model, hidden).dataSync(), t.values ?? []));
      });
    });
    add(m.name, "logits", worst, `${theirs.model_class} logits at ${positions} positions: max |diff| ${fmt(worst)}, same argmax at ${sameArgmax}/${positions}`);
    if (m.kind === "value") add(m.name, "value head", worstValue, `v_head.summary on transformers' last hidden state: max |diff| ${fmt(worstValue)}`);
  }
  return checks;
}
