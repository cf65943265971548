/**
 * `npm run bench:generate`: sampling speed of the shipped demo-sft (the PPO rollout, eval and
 * generate-pairs path) at two batch sizes, without filtering (PPO, eval) and with top-p 0.95
 * (the demo's answers), 24 new tokens per row; then the sampler alone on demo-sft's 2,048-token
 * vocabulary. Best of `--repeats` timings per row. First, the model part of the demo seed
 * (lib/seed/demo.ts), once and cold as the seed runs it: the backend's start, loading demo-sft,
 * and its two batches of answers to the 24 demo prompts.
 */
import { rules } from "@/lib/config/options";
import { demoMaxNewTokens, demoPrompts, demoSampling } from "@/lib/seed/demo-data";
import { initBackend } from "@/trainer/backend";
import { FolderCheckpointStore, loadCheckpoint } from "@/trainer/checkpoint";
import { corpusFiles, readSftJsonl } from "@/trainer/data/corpus";
import { generate, sampleToken } from "@/trainer/generate";
import { disposeModel } from "@/trainer/model";
import { formatPrompt } from "@/trainer/prompt-format";
import { createRng } from "@/trainer/rng";
import { installShippedCheckpoints, shippedSftId } from "@/trainer/shipped";
import { cliNumber, parseCliArgs } from "@/scripts/lib/cli-args";

const USAGE = "Usage: npm run bench:generate [-- --repeats N (default 3)]";
const { values } = parseCliArgs({ options: { repeats: { type: "string", default: "3" } } }, USAGE);
const repeats = cliNumber("repeats", values.repeats, rules.count, USAGE);
let t0 = performance.now();
const backend = await initBackend();
const backendMs = performance.now() - t0;
const store = new FolderCheckpointStore();
await installShippedCheckpoints(store);
t0 = performance.now();
const { model, tokenizer } = await loadCheckpoint(store, shippedSftId);
const loadMs = performance.now() - t0;
t0 = performance.now();
for (const sampling of demoSampling.slice(0, 2)) {
  generate(model, tokenizer, demoPrompts.map((p) => formatPrompt(p)), { maxNewTokens: demoMaxNewTokens, temperature: sampling.temperature, topP: sampling.topP, seed: sampling.seed, stop: ["\n"] });
}
const seedMs = performance.now() - t0;
console.log(`demo seed's model part: backend ${backend} start ${backendMs.toFixed(0)} ms, loading ${shippedSftId} ${loadMs.toFixed(0)} ms, 2 x ${demoPrompts.length} answers (${demoMaxNewTokens}-token cap) ${seedMs.toFixed(0)} ms`);
const prompts = readSftJsonl(corpusFiles().sftTrain).map((e) => tokenizer.encode(formatPrompt(e.prompt)));
console.log(`backend ${backend}; ${shippedSftId}, 24 new tokens per row, best of ${repeats}`);

const best = (f: () => number) => Math.min(...Array.from({ length: repeats }, f));
generate(model, tokenizer, prompts.slice(0, 8), { maxNewTokens: 4, seed: 0 }); // warm the kernels
for (const [label, filter] of [["unfiltered", { topP: 1 }], ["top-p 0.95", { topP: 0.95 }]] as const) {
  for (const batch of [32, 128]) {
    let tokens = 0;
    const ms = best(() => {
      const t = performance.now();
      const out = generate(model, tokenizer, prompts.slice(0, batch), { maxNewTokens: 24, temperature: 1, ...filter, seed: 1 });
      tokens = out.reduce((n, g) => n + g.tokens.length, 0);
      return performance.now() - t;
    });
    console.log(`${label.padEnd(11)} batch ${String(batch).padStart(3)}: ${ms.toFixed(0).padStart(5)} ms, ${((tokens / ms) * 1000).toFixed(0).padStart(5)} tokens/s`);
  }
}
disposeModel(model);

const rng = createRng(3);
const logits = Float32Array.from({ length: 2048 }, () => rng.normal() * 3);
for (const [label, opts] of [["unfiltered", { temperature: 1, topK: 0, topP: 1 }], ["top-p 0.95", { temperature: 1, topK: 0, topP: 0.95 }]] as const) {
  const n = 2000;
  const ms = best(() => {
    const t = performance.now();
    for (let i = 0; i < n; i++) sampleToken(logits, opts, rng);
    return performance.now() - t;
  });
  console.log(`sampler alone, ${label}: ${((ms / n) * 1000).toFixed(0)} µs per token`);
}
