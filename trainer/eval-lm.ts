/**
 * Language-model evaluation of a checkpoint: perplexity on the held-out corpus, perplexity of
 * the held-out SFT responses (response tokens only, prompts formatted by the shared template),
 * and sample generations for held-out headwords.
 */
import type { CheckpointStore } from "./checkpoint";
import { loadCheckpoint } from "./checkpoint";
import { corpusFiles, readCorpusDocs, readSftJsonl } from "./data/corpus";
import { generate } from "./generate";
import { encodeSftExamples, sftExamplesLoss, streamLoss, tokenizeDocs } from "./lm-data";
import { disposeModel } from "./model";
import { formatPrompt, parseResponse, type PromptInput } from "./prompt-format";

export interface EvalLmOptions {
  checkpoint: string;
  /** Held-out corpus file; empty: the committed one. */
  corpus: string;
  /** Held-out SFT JSONL; empty: the committed one. */
  sftData: string;
  /** Most held-out windows of contextLength tokens; 0 = all. */
  corpusWindows: number;
  samples: number;
  temperature: number;
  maxNewTokens: number;
  seed: number;
}

export interface EvalLmResult {
  corpusLoss: number;
  corpusPerplexity: number;
  corpusTokens: number;
  sftLoss: number;
  sftPerplexity: number;
  sftTokens: number;
  samples: Array<{ prompt: PromptInput; response: string; reference: string }>;
}

export async function evalLm(store: CheckpointStore, o: EvalLmOptions): Promise<EvalLmResult> {
  const { model, tokenizer } = await loadCheckpoint(store, o.checkpoint);
  try {
    const files = corpusFiles();
    const T = model.config.contextLength;
    const stream = tokenizeDocs(tokenizer, readCorpusDocs(o.corpus || files.corpusHeldout));
    const corpus = await streamLoss(model, stream, T, 16, o.corpusWindows > 0 ? o.corpusWindows : Number.MAX_SAFE_INTEGER);
    const rows = readSftJsonl(o.sftData || files.sftHeldout);
    const sft = await sftExamplesLoss(model, encodeSftExamples(tokenizer, rows, T).encoded, tokenizer.padId, 32);
    // Evenly spaced held-out rows, so the samples are the same for every checkpoint.
    const picked = Array.from({ length: Math.min(o.samples, rows.length) }, (_, i) => rows[Math.floor((i * rows.length) / Math.max(1, o.samples))]);
    const gens = generate(model, tokenizer, picked.map((r) => formatPrompt(r.prompt)), { maxNewTokens: o.maxNewTokens, temperature: o.temperature, seed: o.seed, stop: ["\n"] });
    return {
      corpusLoss: corpus.loss,
      corpusPerplexity: Math.exp(corpus.loss),
      corpusTokens: corpus.tokens,
      sftLoss: sft.loss,
      sftPerplexity: Math.exp(sft.loss),
      sftTokens: sft.tokens,
      samples: picked.map((r, i) => ({ prompt: r.prompt, response: parseResponse(gens[i].text), reference: r.response })),
    };
  } finally {
    disposeModel(model);
  }
}
