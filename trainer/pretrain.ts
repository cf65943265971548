/**
 * Pretraining: next-token prediction on the plain corpus, packed into windows of contextLength
 * tokens, AdamW with linear warm-up and cosine decay, clipped gradients, held-out eval loss.
 * Writes a `base` checkpoint; `--resume` continues from the last saved state after a crash.
 */
import { pretrainConfigProblems, refuseProblems } from "@/lib/runs/config-rules";
import type { CheckpointStore } from "./checkpoint";
import { opt, OptionError, rules, type Resolved } from "./cli/options";
import { corpusFiles, readCorpusDocs } from "./data/corpus";
import { fnv1a } from "./data/build-corpus";
import { PackedBatches, streamLoss, tokenizeDocs } from "./lm-data";
import { type LmRunResult, resumeLmRun, runLmSteps, type LoopHooks } from "./lm-loop";
import { createModel, type GPT, paramCount } from "./model";
import { Adam } from "./optim";
import { type Tokenizer, trainByteBpe } from "./tokenizer";
import type { BackendName } from "./env";

export const pretrainOptions = {
  out: opt("base", "id of the checkpoint written (its resumable state is <out>-resume)"),
  resume: opt(false, "continue from <out>-resume: step, optimizer state, data position, config"),
  corpus: opt("", "training text (.txt or .txt.gz, documents separated by <|endoftext|> lines); empty: the committed corpus"),
  heldout: opt("", "held-out text in the same format; empty: the committed held-out corpus"),
  vocabSize: opt(2048, "BPE vocabulary trained on the corpus (tokens, end-of-text included)", { int: true, min: 257 }),
  tokenizerChars: opt(1_000_000, "characters of the corpus (an even sample of documents) the BPE is trained on; 0 = all", rules.natural),
  contextLength: opt(64, "tokens per packed training window (and the model's position table)", { int: true, min: 2 }),
  layers: opt(4, "transformer blocks", rules.count),
  heads: opt(4, "attention heads per block; must divide dModel", rules.count),
  dModel: opt(128, "width of the residual stream; a multiple of heads", rules.count),
  dropout: opt(0, "dropout rate while training", { min: 0, below: 1 }),
  batch: opt(16, "windows per step", rules.count),
  steps: opt(2000, "optimisation steps; at least warmupSteps", rules.count),
  lr: opt(2e-3, "peak learning rate (after warm-up); at least minLr", rules.positive),
  minLr: opt(2e-4, "learning rate at the last step (cosine floor); at most lr", rules.nonNegative),
  warmupSteps: opt(100, "steps of linear warm-up; at most steps", rules.natural),
  weightDecay: opt(0.01, "decoupled weight decay on matrices", rules.nonNegative),
  clipNorm: opt(1, "clip the global gradient norm to this; 0 = off", rules.nonNegative),
  evalEvery: opt(200, "steps between held-out evaluations (and always at the end)", rules.natural),
  evalWindows: opt(64, "held-out windows of contextLength tokens per evaluation", rules.count),
  saveEvery: opt(100, "steps between resumable saves", rules.natural),
  seed: opt(1, "seed of the initial weights and the data order", rules.natural),
  stopAfter: opt(0, "stop after this many steps without the final save (simulates a crash); 0 = off", rules.natural),
  threads: opt(0, "data-parallel threads (same updates, split batch); 0 = the backend's default (2 on wasm and cpu, 1 on native)", { int: true, min: 0, max: 16 }),
};
export type PretrainConfig = Resolved<typeof pretrainOptions>;


/** An even sample of documents up to `chars` characters, for training the tokenizer. */
function tokenizerSample(docs: string[], chars: number): string[] {
  const total = docs.reduce((n, d) => n + d.length, 0);
  if (chars <= 0 || total <= chars) return docs;
  const keep = chars / total;
  return docs.filter((d) => (fnv1a(`tok:${d}`) % 10_000) / 10_000 < keep);
}

export async function runPretrain(flags: PretrainConfig, ctx: { store: CheckpointStore; backend: BackendName } & LoopHooks): Promise<LmRunResult> {
  const { store, log } = ctx;
  const { cfg, resumed } = await resumeLmRun(store, flags, log);
  // The rules startRun checks before a run is queued (lib/runs/config-rules.ts): refused before the tokenizer is trained, not after.
  if (!resumed) refuseProblems(pretrainConfigProblems(cfg), (message) => new OptionError(message));
  let model: GPT;
  let tokenizer: Tokenizer;
  if (resumed) {
    ({ model, tokenizer } = resumed);
  }
  const files = corpusFiles();
  const trainDocs = readCorpusDocs(cfg.corpus || files.corpusTrain);
  const heldDocs = readCorpusDocs(cfg.heldout || files.corpusHeldout);
  if (!resumed) {
    const t = performance.now();
    tokenizer = trainByteBpe(tokenizerSample(trainDocs, cfg.tokenizerChars), { vocabSize: cfg.vocabSize });
    log(`tokenizer: ${tokenizer.vocabSize} tokens trained in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    model = createModel(
      { vocabSize: tokenizer.vocabSize, contextLength: cfg.contextLength, layers: cfg.layers, heads: cfg.heads, dModel: cfg.dModel, dropout: cfg.dropout, activation: "quick_gelu", layerNormEpsilon: 1e-5 },
      { seed: cfg.seed },
    );
  }
  const t = performance.now();
  const trainTokens = tokenizeDocs(tokenizer!, trainDocs);
  const heldTokens = tokenizeDocs(tokenizer!, heldDocs);
  log(`corpus: ${trainTokens.length.toLocaleString("en")} train / ${heldTokens.length.toLocaleString("en")} held-out tokens (tokenized in ${((performance.now() - t) / 1000).toFixed(1)} s); model ${paramCount(model!).toLocaleString("en")} parameters`);

  const optimizer = new Adam(model!.params, { lr: cfg.lr, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: cfg.weightDecay });
  if (resumed) optimizer.importState(resumed.optimizer);
  const data = new PackedBatches(trainTokens, cfg.contextLength, cfg.batch, cfg.seed);
  return runLmSteps(
    {
      cfg,
      store,
      checkpoint: { id: cfg.out, model: model!, tokenizer: tokenizer!, kind: "base", parentId: null, backend: ctx.backend, trainingConfig: { command: "pretrain", ...cfg } },
      optimizer,
      resumed,
      batchAt: (step) => data.batch(step),
      evaluate: async (heartbeat) => (await streamLoss(model, heldTokens, cfg.contextLength, cfg.batch, cfg.evalWindows, heartbeat)).loss,
      label: "pretrain",
    },
    ctx,
  );
}
