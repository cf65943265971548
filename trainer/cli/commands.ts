/**
 * The CLI's command table. A command is a summary, an option table (defaults + help) and run().
 * Here: generate, inspect, import-hf and bench; build-corpus, pretrain, sft and eval-lm come from
 * lm-commands.ts, reward, score, dpo, ppo and eval from rlhf-commands.ts (merged at the end).
 */
import { checkpointImportKindValues, type CheckpointImportKind, type ScoreToken, scoreTokenValues } from "@/db/values";
import { activeBackend, initBackend } from "../backend";
import { backendNames, type BackendName } from "../env";
import { type CheckpointStore, FolderCheckpointStore, loadCheckpoint } from "../checkpoint";
import { generate } from "../generate";
import { importHf } from "../hf-import";
import { disposeModel } from "../model";
import { readSafetensorsHeader } from "../safetensors";
import { defaultThreads } from "../parallel";
import { benchSizes, measureThroughput } from "../throughput";
import { withDatabase } from "./database";
import { opt, OptionError, type OptionTable, type Resolved } from "./options";
import { lmCommands } from "./lm-commands";
import { rlhfCommands } from "./rlhf-commands";
import { createProgress } from "./progress";

export interface Command<T extends OptionTable = OptionTable> {
  summary: string;
  options: T;
  run(opts: Resolved<T>, ctx: { store: CheckpointStore; log: (line: string) => void }): Promise<void>;
}

const command = <T extends OptionTable>(c: Command<T>): Command => c as unknown as Command;

const backendOpt = opt("", `backend to use (${backendNames.join(", ")}); empty: TRAINER_BACKEND or the first that loads`);

async function switchBackend(name: string): Promise<BackendName> {
  if (name && !backendNames.includes(name as BackendName)) throw new OptionError(`backend must be one of ${backendNames.join(", ")}, got "${name}"`);
  return initBackend((name || undefined) as BackendName | undefined);
}

export const commands: Record<string, Command> = {
  generate: command({
    summary: "Sample continuations of prompts from a checkpoint, with per-token log-probs.",
    options: {
      checkpoint: opt("", "checkpoint id in the store (required)"),
      prompt: opt([] as string[], "prompt text; repeat the flag for a batch"),
      maxNewTokens: opt(64, "most tokens added per prompt"),
      temperature: opt(1, "softmax temperature; 0 = greedy"),
      topK: opt(0, "keep the k most likely tokens; 0 = all"),
      topP: opt(1, "nucleus: smallest set with this much probability; 1 = all"),
      stop: opt([] as string[], "stop string; repeat the flag for several"),
      seed: opt(0, "sampling seed"),
      backend: backendOpt,
    },
    async run(o, { store, log }) {
      if (!o.checkpoint) throw new OptionError("--checkpoint is required");
      log(`backend: ${await switchBackend(o.backend)}`);
      const { model, tokenizer } = await loadCheckpoint(store, o.checkpoint);
      const prompts = o.prompt.length ? o.prompt : [""];
      const t0 = performance.now();
      const out = generate(model, tokenizer, prompts, { maxNewTokens: o.maxNewTokens, temperature: o.temperature, topK: o.topK, topP: o.topP, stop: o.stop, seed: o.seed });
      const secs = (performance.now() - t0) / 1000;
      out.forEach((g, i) => {
        log(`--- prompt ${i}: ${JSON.stringify(prompts[i])} (${g.finishReason}, ${g.tokens.length} tokens, mean logprob ${(g.logprobs.reduce((a, b) => a + b, 0) / Math.max(1, g.logprobs.length)).toFixed(3)})`);
        log(prompts[i] + g.text);
      });
      log(`${(out.reduce((n, g) => n + g.tokens.length, 0) / secs).toFixed(1)} tokens/s`);
      disposeModel(model);
    },
  }),

  inspect: command({
    summary: "Show a checkpoint's config, file sizes, tensors and lineage (or list checkpoints without --checkpoint).",
    options: { checkpoint: opt("", "checkpoint id; empty lists the store") },
    async run(o, { store, log }) {
      if (!o.checkpoint) {
        for (const id of await store.list()) log(id);
        return;
      }
      const files = await store.load(o.checkpoint);
      const meta = JSON.parse(new TextDecoder().decode(files["pairwise.json"]));
      log(`checkpoint ${o.checkpoint} at ${store.path(o.checkpoint)}`);
      log(`kind ${meta.kind}, backend ${meta.backend}, created ${meta.createdAt}, ${meta.paramCount.toLocaleString("en")} parameters`);
      log(`model ${JSON.stringify(meta.model)}`);
      log(`training config ${JSON.stringify(meta.trainingConfig)}`);
      log(`metrics ${JSON.stringify(meta.metrics)}`);
      for (const [name, bytes] of Object.entries(files)) log(`  ${name.padEnd(18)} ${bytes.length.toLocaleString("en")} bytes`);
      const { header } = readSafetensorsHeader(files["model.safetensors"]);
      const tensors = Object.entries(header).filter(([k]) => k !== "__metadata__");
      log(`tensors (${tensors.length}): ${tensors.slice(0, 6).map(([k, v]) => `${k} [${(v as { shape: number[] }).shape}]`).join(", ")}${tensors.length > 6 ? ", ..." : ""}`);
      const lineage: string[] = [o.checkpoint];
      for (let parent = meta.parentId as string | null; parent; ) {
        lineage.push(parent);
        const p = await store.load(parent).catch(() => undefined);
        parent = p ? JSON.parse(new TextDecoder().decode(p["pairwise.json"])).parentId : null;
        if (!p) lineage.push("(missing)");
      }
      log(`lineage ${lineage.join(" <- ")}`);
    },
  }),

  "import-hf": command({
    summary: "Import a Hugging Face GPT-2-family folder (model.safetensors, config.json, tokenizer.json) as a checkpoint: a language model, or a reward model trained in Python (GPT2ForSequenceClassification).",
    options: {
      from: opt("", "folder holding model.safetensors and config.json (required)"),
      id: opt("", "new checkpoint id (required)"),
      kind: opt("", `${checkpointImportKindValues.join(" | ")}; empty: reward when the folder has a score head (score.weight), else base`),
      scoreToken: opt("before-end-of-text", "reward models: where the score was trained to be read: before-end-of-text (transformers, TRL) or end-of-text (OpenRLHF)"),
      register: opt(false, "also register it in the database (DATABASE_URL, else the embedded one of npm start), so the web app lists it and runs can use it"),
    },
    async run(o, { store, log }) {
      if (!o.from || !o.id) throw new OptionError("--from and --id are required");
      if (o.kind && !checkpointImportKindValues.includes(o.kind as CheckpointImportKind)) throw new OptionError(`--kind must be one of ${checkpointImportKindValues.join(", ")}, got "${o.kind}"`);
      if (!scoreTokenValues.includes(o.scoreToken as ScoreToken)) throw new OptionError(`--scoreToken must be one of ${scoreTokenValues.join(", ")}, got "${o.scoreToken}"`);
      const record = await importHf(o.from, store, o.id, { kind: (o.kind || undefined) as CheckpointImportKind | undefined, scoreToken: o.scoreToken as ScoreToken });
      log(`imported ${record.id} (${record.kind}): ${record.paramCount.toLocaleString("en")} parameters, ${record.sizeBytes.toLocaleString("en")} bytes at ${record.location}`);
      if (o.register) {
        // Imported only here, so the other commands need no database.
        const { registerCheckpoint } = await import("@/lib/checkpoints/registry");
        const row = await withDatabase(() => registerCheckpoint({ record }));
        log(`registered ${row.storeKey} as checkpoint ${row.id}: it is listed on /research/checkpoints`);
      }
    },
  }),

  bench: command({
    summary: "Training-step (forward, backward, Adam) and KV-cache generation throughput on this backend.",
    options: {
      size: opt("small", "preset size: small (~0.8M params) or big (~5M); other flags override it"),
      vocabSize: opt(0, "vocabulary; 0 = from size"),
      dModel: opt(0, "width; 0 = from size"),
      layers: opt(0, "blocks; 0 = from size"),
      heads: opt(0, "attention heads; 0 = from size"),
      contextLength: opt(64, "tokens per row"),
      batch: opt(16, "rows per step"),
      steps: opt(10, "timed steps"),
      warmup: opt(2, "untimed steps first"),
      genTokens: opt(32, "new tokens per row for the generation timing; 0 skips it"),
      threads: opt(0, "data-parallel threads for the training step; 0 = the backend's default (2 on wasm and cpu)"),
      backend: backendOpt,
    },
    async run(o, { log }) {
      const base = benchSizes[o.size as "small" | "big"];
      if (!base) throw new OptionError(`size must be small or big, got "${o.size}"`);
      await switchBackend(o.backend);
      const threads = o.threads > 0 ? o.threads : defaultThreads(activeBackend());
      const cfg = { ...base, contextLength: o.contextLength, batch: o.batch, steps: o.steps, warmup: o.warmup, genTokens: o.genTokens, threads };
      for (const k of ["vocabSize", "dModel", "layers", "heads"] as const) if (o[k] > 0) cfg[k] = o[k];
      log(`backend ${activeBackend()}, config ${JSON.stringify(cfg)}`);
      const progress = createProgress("train", cfg.steps);
      const r = await measureThroughput(cfg, (step, loss, tps) => progress.update(step, { loss, tokensPerSec: tps }));
      progress.stop();
      log(`params ${r.params.toLocaleString("en")}`);
      log(`train ${r.trainTokensPerSec.toFixed(0)} tokens/s (${r.msPerStep.toFixed(1)} ms/step), tensors leaked per run: ${r.tensorsLeaked}`);
      if (r.genTokensPerSec !== null) log(`generate ${r.genTokensPerSec.toFixed(0)} tokens/s (batch ${cfg.batch}, KV cache)`);
    },
  }),
};

Object.assign(commands, lmCommands);
Object.assign(commands, rlhfCommands);

export const defaultStore = (): CheckpointStore => new FolderCheckpointStore();
