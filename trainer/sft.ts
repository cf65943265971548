/**
 * Supervised fine-tuning: {prompt, response} demonstrations formatted by the shared template
 * (prompt-format.ts), loss on response tokens only (the end-of-text included). Starts from a
 * base checkpoint and writes an `sft` checkpoint whose parent is that base; `--resume` continues
 * from the last saved state after a crash. With `mixText`, each batch also carries windows of
 * plain pretraining text, so the model keeps its plain-text skill (InstructGPT's PPO-ptx, here
 * in SFT): fine-tuning on short answers alone costs a base model most of it.
 */
import { sftConfigProblems, refuseProblems } from "@/lib/runs/config-rules";
import { type CheckpointStore, loadCheckpoint } from "./checkpoint";
import { opt, OptionError, rules, type Resolved } from "./cli/options";
import { corpusFiles, readCorpusDocs, readSftJsonl } from "./data/corpus";
import { encodeSftExamples, sftBatch, sftExamplesLoss, ShuffledOrder, streamLoss, tokenizeDocs, withTextRows } from "./lm-data";
import { type LmRunResult, resumeLmRun, runLmSteps, type LoopHooks } from "./lm-loop";
import type { GPT } from "./model";
import { Adam } from "./optim";
import { createRng } from "./rng";
import type { Tokenizer } from "./tokenizer";
import type { BackendName } from "./env";

export const sftOptions = {
  base: opt("", "checkpoint id to fine-tune (required unless resuming)"),
  out: opt("sft", "id of the checkpoint written (its resumable state is <out>-resume)"),
  resume: opt(false, "continue from <out>-resume: step, optimizer state, data position, config"),
  data: opt("", "{prompt, response} or {messages} JSONL (.jsonl or .jsonl.gz); empty: the committed Define: demonstrations"),
  heldoutData: opt("", "held-out rows in the same format; empty: the committed held-out headwords"),
  batch: opt(16, "examples per step", rules.count),
  steps: opt(500, "optimisation steps; at least warmupSteps", rules.count),
  lr: opt(1e-3, "peak learning rate (after warm-up); at least minLr", rules.positive),
  minLr: opt(1e-4, "learning rate at the last step (cosine floor); at most lr", rules.nonNegative),
  warmupSteps: opt(30, "steps of linear warm-up; at most steps", rules.natural),
  weightDecay: opt(0, "decoupled weight decay on matrices", rules.nonNegative),
  clipNorm: opt(1, "clip the global gradient norm to this; 0 = off", rules.nonNegative),
  evalEvery: opt(100, "steps between held-out evaluations (and always at the end)", rules.natural),
  evalExamples: opt(400, "held-out examples per evaluation", rules.count),
  saveEvery: opt(50, "steps between resumable saves", rules.natural),
  seed: opt(1, "seed of the data order", rules.natural),
  stopAfter: opt(0, "stop after this many steps without the final save (simulates a crash); 0 = off", rules.natural),
  threads: opt(0, "data-parallel threads (same updates, split batch); 0 = the backend's default (2 on wasm and cpu, 1 on native)", { int: true, min: 0, max: 16 }),
  mixText: opt(0, "share of the loss on plain pretraining text, in [0, 0.9]: loss = (1 - mixText) SFT + mixText text; 0 = off (then leave mixCorpus and mixHeldout out)", { min: 0, max: 0.9 }),
  mixRows: opt(4, "windows of plain text added to each batch when mixText > 0 (as long as the batch's examples)", rules.count),
  mixCorpus: opt("", "plain text for mixText (.txt or .txt.gz, as pretrain reads it); empty: the committed corpus; a file needs mixText above 0"),
  mixHeldout: opt("", "held-out plain text whose perplexity is reported as text/val_perplexity when mixText > 0; empty: the committed held-out corpus; a file needs mixText above 0"),
};
export type SftConfig = Resolved<typeof sftOptions>;


export async function runSft(flags: SftConfig, ctx: { store: CheckpointStore; backend: BackendName } & LoopHooks): Promise<LmRunResult> {
  const { store, log } = ctx;
  const { cfg, resumed } = await resumeLmRun(store, flags, log);
  // The rules startRun checks before a run is queued (lib/runs/config-rules.ts): refused before the base model is loaded.
  if (!resumed) refuseProblems(sftConfigProblems(cfg), (message) => new OptionError(message));
  let model: GPT;
  let tokenizer: Tokenizer;
  if (resumed) {
    ({ model, tokenizer } = resumed);
  } else {
    if (!cfg.base) throw new OptionError("--base is required (the checkpoint to fine-tune)");
    ({ model, tokenizer } = await loadCheckpoint(store, cfg.base));
  }
  const files = corpusFiles();
  const T = model.config.contextLength;
  const train = encodeSftExamples(tokenizer, readSftJsonl(cfg.data || files.sftTrain), T);
  const held = encodeSftExamples(tokenizer, readSftJsonl(cfg.heldoutData || files.sftHeldout), T);
  if (!train.encoded.length) throw new Error(`no training example has a response token within the model's ${T}-token context`);
  log(`sft: ${train.encoded.length} train / ${held.encoded.length} held-out examples (${train.dropped + held.dropped} dropped: no response token within ${T} tokens)`);
  if (!(cfg.mixText >= 0 && cfg.mixText <= 0.9)) throw new OptionError(`--mixText must be in [0, 0.9], got ${cfg.mixText}`);
  if (cfg.mixText > 0 && !(Number.isInteger(cfg.mixRows) && cfg.mixRows > 0)) throw new OptionError(`--mixRows must be a positive integer, got ${cfg.mixRows}`);
  const mixText = cfg.mixText > 0 ? tokenizeDocs(tokenizer, readCorpusDocs(cfg.mixCorpus || files.corpusTrain)) : null;
  const heldText = mixText ? tokenizeDocs(tokenizer, readCorpusDocs(cfg.mixHeldout || files.corpusHeldout)) : null;
  if (mixText) log(`sft: mixing ${cfg.mixRows} windows of plain text (${mixText.length.toLocaleString("en")} tokens) into each batch, ${cfg.mixText} of the loss`);

  const optimizer = new Adam(model.params, { lr: cfg.lr, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: cfg.weightDecay });
  if (resumed) optimizer.importState(resumed.optimizer);
  const order = new ShuffledOrder(train.encoded.length, cfg.seed);
  const heldEval = held.encoded.slice(0, cfg.evalExamples);
  return runLmSteps(
    {
      cfg,
      store,
      checkpoint: { id: cfg.out, model, tokenizer, kind: "sft", parentId: cfg.base || null, backend: ctx.backend, trainingConfig: { command: "sft", ...cfg } },
      optimizer,
      resumed,
      batchAt: (step) => {
        const batch = sftBatch(order.rows(step, cfg.batch).map((i) => train.encoded[i]), tokenizer.padId, 8);
        return mixText ? withTextRows(batch, mixText, cfg.mixRows, cfg.mixText, createRng(cfg.seed * 1_000_003 + step)) : batch;
      },
      evaluate: async (heartbeat) => (await sftExamplesLoss(model, heldEval, tokenizer.padId, 32, heartbeat)).loss,
      label: "sft",
      extraMetrics: async (heartbeat): Promise<Record<string, number>> => (heldText ? { "text/val_perplexity": Math.exp((await streamLoss(model, heldText, T, 16, 64, heartbeat)).loss) } : {}),
    },
    ctx,
  );
}
