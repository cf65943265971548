/**
 * `npm run bench:hf-parity [-- --python PATH --keep DIR]`: do Pairwise's checkpoints compute the
 * same thing in Hugging Face transformers as in Pairwise?
 *
 * Writes five checkpoint folders the way the trainer saves them: the shipped demo-base and
 * demo-sft; demo-sft's weights with activation gelu_new (the form imported GPT-2 checkpoints
 * use); a reward model (demo-sft's trunk, a random score head); a policy with a random value
 * head. Then check.py loads each folder with AutoTokenizer and AutoModelForCausalLM (or
 * AutoModelForSequenceClassification) and this script compares, text by text: the token ids,
 * the logits at every position, the reward score (one text at a time and as a padded batch) and
 * the value head. Needs a python with torch and transformers (docs/trainer.md says how).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "@/trainer/backend";
import { FolderCheckpointStore, loadCheckpoint, saveCheckpoint } from "@/trainer/checkpoint";
import { addHeads, forward, type GPT, lmLogits, tokenValues } from "@/trainer/model";
import { formatExample, formatPrompt, type PromptInput } from "@/trainer/prompt-format";
import { scoreTexts } from "@/trainer/score";
import { encodeExample } from "@/trainer/sequences";
import { shippedBaseId, shippedCheckpointDir, shippedSftId } from "@/trainer/shipped";
import type { Tokenizer } from "@/trainer/tokenizer";

const { values: args } = parseArgs({ options: { python: { type: "string", default: "python3" }, keep: { type: "string" } } });

interface Case {
  prompt: PromptInput;
  response?: string;
}
const cases: Case[] = [
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

const textOf = (c: Case) => (c.response === undefined ? formatPrompt(c.prompt) : formatExample(c.prompt, c.response));
const idsOf = (tok: Tokenizer, c: Case, maxLength: number) => {
  if (c.response === undefined) return tok.encode(formatPrompt(c.prompt));
  const e = encodeExample(tok, c.prompt, c.response, maxLength);
  return [...e.promptIds, ...e.responseIds];
};

type Kind = "lm" | "reward" | "value";
interface Built {
  name: string;
  kind: Kind;
  model: GPT;
  tokenizer: Tokenizer;
}

function randomise(model: GPT, name: string, seed: number): void {
  const v = model.params[name]!;
  v.assign(tf.randomNormal(v.shape, 0, 0.5, "float32", seed));
}

async function build(dir: string): Promise<Built[]> {
  const shipped = new FolderCheckpointStore(shippedCheckpointDir);
  const store = new FolderCheckpointStore(dir);
  const load = (id: string) => loadCheckpoint(shipped, id);
  const base = await load(shippedBaseId);
  const sft = await load(shippedSftId);
  const geluNew = await load(shippedSftId);
  geluNew.model.config = { ...geluNew.model.config, activation: "gelu_new" };
  const reward = await load(shippedSftId);
  addHeads(reward.model, ["reward"]);
  randomise(reward.model, "score.weight", 1);
  const policy = await load(shippedSftId);
  addHeads(policy.model, ["value"]);
  randomise(policy.model, "v_head.summary.weight", 2);
  randomise(policy.model, "v_head.summary.bias", 3);
  const built: Built[] = [
    { name: "demo-base", kind: "lm", ...base },
    { name: "demo-sft", kind: "lm", ...sft },
    { name: "sft-gelu-new", kind: "lm", ...geluNew },
    { name: "reward", kind: "reward", ...reward },
    { name: "policy-value-head", kind: "value", ...policy },
  ];
  for (const b of built) {
    const kind = b.kind === "reward" ? "reward" : b.kind === "value" ? "policy" : "sft";
    await saveCheckpoint(store, { id: b.name, model: b.model, tokenizer: b.tokenizer, kind, parentId: null, backend: "import", trainingConfig: {}, metrics: {} });
  }
  return built;
}

interface PyText {
  ids: number[];
  logits?: number[][];
  score?: number;
  values?: number[];
}
interface PyModel {
  name: string;
  tokenizer_class: string;
  model_class: string;
  texts: PyText[];
  batch_scores?: number[];
  padding_side?: string;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const fmt = (x: number) => x.toExponential(1);

await initBackend();
const dir = args.keep ?? (await fs.mkdtemp(path.join(os.tmpdir(), "hf-parity-")));
const built = await build(dir);
for (const c of cases) {
  const n = idsOf(built[0].tokenizer, c, Infinity).length;
  if (n > built[0].model.config.contextLength) throw new Error(`case "${textOf(c)}" has ${n} tokens, over the models' context`);
}
const casesFile = path.join(dir, "cases.json");
await fs.writeFile(
  casesFile,
  JSON.stringify({
    models: built.map((b) => ({ name: b.name, dir: path.join(dir, b.name), kind: b.kind, texts: cases.map(textOf) })),
    batch: cases.map(textOf),
  }),
);
const script = fileURLToPath(new URL("./check.py", import.meta.url));
const py = spawnSync(args.python, [script, casesFile], { encoding: "utf8", maxBuffer: 1 << 30 });
if (py.status !== 0) {
  console.error(py.stderr || py.error?.message);
  console.error(`${args.python} could not run check.py; it needs torch and transformers (docs/trainer.md).`);
  process.exit(1);
}
const hf = JSON.parse(py.stdout) as { versions: Record<string, string>; models: PyModel[] };
console.log(`transformers ${hf.versions.transformers}, torch ${hf.versions.torch}, python ${hf.versions.python}; tfjs ${tf.version_core} on ${tf.getBackend()}`);

let failed = false;
const check = (ok: boolean, line: string) => {
  if (!ok) failed = true;
  console.log(`${ok ? "ok  " : "FAIL"} ${line}`);
};
const LOGIT_TOLERANCE = 1e-3; // float32 on two libraries, logits of size ~10
for (const b of built) {
  const theirs = hf.models.find((m) => m.name === b.name)!;
  const ours = cases.map((c) => idsOf(b.tokenizer, c, b.model.config.contextLength));
  const idsSame = ours.every((ids, i) => JSON.stringify(ids) === JSON.stringify(theirs.texts[i].ids));
  check(idsSame, `${b.name}: ${theirs.tokenizer_class} gives the same token ids for all ${cases.length} texts`);
  if (b.kind === "reward") {
    const ourScores = cases.map((c) => scoreTexts(b, [{ prompt: c.prompt, response: c.response ?? "" }])[0]);
    const promptOnly = cases.map((c) => c.response === undefined);
    const theirSingle = theirs.texts.map((t) => t.score!);
    const comparable = (xs: number[]) => xs.filter((_, i) => !promptOnly[i]);
    const d = maxAbsDiff(comparable(ourScores), comparable(theirSingle));
    check(d < LOGIT_TOLERANCE, `${b.name}: ${theirs.model_class} score, one text at a time: max |diff| ${fmt(d)} (scores ${comparable(ourScores).map((s) => s.toFixed(3)).join(", ")})`);
    const ourBatch = scoreTexts(b, cases.map((c) => ({ prompt: c.prompt, response: c.response ?? "" })));
    const dob = maxAbsDiff(comparable(ourBatch), comparable(theirSingle));
    check(dob < LOGIT_TOLERANCE, `${b.name}: Pairwise's score of all ${cases.length} texts as one padded batch against transformers' one at a time: max |diff| ${fmt(dob)}`);
    const db = maxAbsDiff(comparable(theirs.batch_scores!), comparable(theirSingle));
    check(db < LOGIT_TOLERANCE, `${b.name}: the same texts as one ${theirs.padding_side}-padded batch in transformers: max |diff| ${fmt(db)}`);
    continue;
  }
  let worst = 0;
  let worstValue = 0;
  let argmaxAgree = 0;
  let positions = 0;
  ours.forEach((ids, i) => {
    const t = theirs.texts[i];
    tf.tidy(() => {
      const hidden = forward(b.model, { ids: tf.tensor2d([ids], [1, ids.length], "int32") }).hidden;
      const logits = lmLogits(b.model, hidden).arraySync();
      logits.forEach((row, p) => {
        worst = Math.max(worst, maxAbsDiff(row, t.logits![p]));
        const am = (r: number[]) => r.indexOf(Math.max(...r));
        if (am(row) === am(t.logits![p])) argmaxAgree++;
        positions++;
      });
      if (b.kind === "value") worstValue = Math.max(worstValue, maxAbsDiff(tokenValues(b.model, hidden).dataSync(), t.values!));
    });
  });
  check(worst < LOGIT_TOLERANCE, `${b.name}: ${theirs.model_class} logits at ${positions} positions: max |diff| ${fmt(worst)}, same argmax at ${argmaxAgree}/${positions}`);
  if (b.kind === "value") check(worstValue < LOGIT_TOLERANCE, `${b.name}: v_head.summary on transformers' last hidden state: max |diff| ${fmt(worstValue)}`);
}
if (!args.keep) await fs.rm(dir, { recursive: true, force: true });
else console.log(`checkpoint folders kept in ${dir}`);
process.exit(failed ? 1 : 0);
