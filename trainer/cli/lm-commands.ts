/**
 * Commands of the pretraining / SFT issue: build-corpus, pretrain, sft, eval-lm.
 */
import path from "node:path";
import { initBackend } from "../backend";
import { backendNames, type BackendName } from "../env";
import { buildCorpus } from "../data/build-corpus";
import { dataDir } from "../data/corpus";
import { evalLm } from "../eval-lm";
import { pretrainOptions, runPretrain } from "../pretrain";
import { runSft, sftOptions } from "../sft";
import { opt, OptionError, type OptionTable, type Resolved } from "./options";
import type { Command } from "./commands";

const command = <T extends OptionTable>(c: Command<T>): Command => c as unknown as Command;

const backendOpt = opt("", `backend to use (${backendNames.join(", ")}); empty: TRAINER_BACKEND or the first that loads`);

async function switchBackend(name: string): Promise<BackendName> {
  if (name && !backendNames.includes(name as BackendName)) throw new OptionError(`backend must be one of ${backendNames.join(", ")}, got "${name}"`);
  return initBackend((name || undefined) as BackendName | undefined);
}

export const lmCommands: Record<string, Command> = {
  "build-corpus": command({
    summary: "Build the corpus and SFT demonstrations under trainer/data from the installed Debian packages (sword-text-web, dict-devil, jargon-text, wordnet-base).",
    options: {
      outDir: opt(path.relative(process.cwd(), dataDir), "folder the gzipped corpus and SFT files are written to"),
      sftWords: opt(4000, "most SFT headwords: the commonest nouns whose first WordNet sense is 4-16 words"),
      heldoutPercent: opt(10, "percent of headwords held out when sft-heldout-headwords.txt does not exist yet"),
      corpusHeldoutPercent: opt(2, "percent of corpus documents held out"),
    },
    async run(o, { log }) {
      buildCorpus(o, log);
    },
  }),

  pretrain: command({
    summary: "Pretrain a base model on the corpus (packed windows, cosine schedule with warm-up, clipping, held-out eval); --resume after a crash.",
    options: { ...pretrainOptions, backend: backendOpt },
    async run(o, { store, log }) {
      const backend = await switchBackend(o.backend);
      log(`backend: ${backend}`);
      const { backend: _b, ...cfg } = o as Resolved<typeof pretrainOptions> & { backend: string };
      await runPretrain(cfg, { store, backend, log });
    },
  }),

  sft: command({
    summary: "Fine-tune a checkpoint on {prompt, response} demonstrations, loss on response tokens only; --resume after a crash.",
    options: { ...sftOptions, backend: backendOpt },
    async run(o, { store, log }) {
      const backend = await switchBackend(o.backend);
      log(`backend: ${backend}`);
      const { backend: _b, ...cfg } = o as Resolved<typeof sftOptions> & { backend: string };
      await runSft(cfg, { store, backend, log });
    },
  }),

  "eval-lm": command({
    summary: "Held-out corpus perplexity, held-out SFT perplexity (response tokens) and sample generations for held-out headwords.",
    options: {
      checkpoint: opt("", "checkpoint id in the store (required)"),
      corpus: opt("", "held-out corpus file; empty: the committed one"),
      sftData: opt("", "held-out {prompt, response} JSONL; empty: the committed held-out headwords"),
      corpusWindows: opt(0, "most held-out windows of contextLength tokens; 0 = all"),
      samples: opt(10, "sample generations for held-out prompts"),
      temperature: opt(0, "sampling temperature for the samples; 0 = greedy"),
      maxNewTokens: opt(48, "most tokens per sample"),
      seed: opt(1, "sampling seed"),
      backend: backendOpt,
    },
    async run(o, { store, log }) {
      if (!o.checkpoint) throw new OptionError("--checkpoint is required");
      log(`backend: ${await switchBackend(o.backend)}`);
      const r = await evalLm(store, o);
      log(`held-out corpus: loss ${r.corpusLoss.toFixed(4)}, perplexity ${r.corpusPerplexity.toFixed(2)} over ${r.corpusTokens.toLocaleString("en")} tokens`);
      log(`held-out SFT responses: loss ${r.sftLoss.toFixed(4)}, perplexity ${r.sftPerplexity.toFixed(2)} over ${r.sftTokens.toLocaleString("en")} tokens`);
      for (const s of r.samples) log(`${JSON.stringify(s.prompt)} -> ${JSON.stringify(s.response)}   (WordNet: ${JSON.stringify(s.reference)})`);
    },
  }),
};
