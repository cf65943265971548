/**
 * The playground: one prompt, one sample from each of two checkpoints with the same settings
 * and seed, both scored by a reward model when one is given. For `POST /api/v1/playground`,
 * which queues this job and waits for it (the web app never runs models).
 *
 * run.config: prompt; checkpoints (two {id, name, kind, storeKey}); reward ({id, name, kind,
 * storeKey}, or null: no scores); temperature, maxNewTokens, seed (lib/runs/schema.ts,
 * playgroundJobConfigSchema).
 */
import { playgroundJobConfigSchema, type PlaygroundJobConfig, type PlaygroundResult } from "@/lib/runs/schema";
import { FolderCheckpointStore, loadCheckpoint, type CheckpointStore } from "../checkpoint";
import { generate } from "../generate";
import { disposeModel } from "../model";
import { formatPrompt, parseResponse } from "../prompt-format";
import { sigmoid } from "../rl-math";
import { scoreRows } from "../score";
import { parseRunConfig } from "./run-config";
import type { JobHandler } from "./types";

type Checkpoint = PlaygroundJobConfig["checkpoints"][number];

/** One sample from one checkpoint, with the prompt template the SFT data was trained on. */
async function sampleOne(store: CheckpointStore, checkpoint: Checkpoint, cfg: PlaygroundJobConfig) {
  const { model, tokenizer } = await loadCheckpoint(store, checkpoint.storeKey);
  try {
    const prompt = formatPrompt(cfg.prompt);
    const promptTokens = tokenizer.encode(prompt).length;
    const context = model.config.contextLength;
    if (promptTokens >= context) {
      throw new Error(`the prompt is ${promptTokens} tokens in ${checkpoint.name}'s template; it reads at most ${context - 1} before it must answer. Shorten the prompt.`);
    }
    const [g] = generate(model, tokenizer, [prompt], { maxNewTokens: cfg.maxNewTokens, temperature: cfg.temperature, topP: 1, seed: cfg.seed, stop: ["\n"] });
    return { text: parseResponse(g!.text), tokens: g!.tokens.length, finishReason: g!.finishReason };
  } finally {
    disposeModel(model);
  }
}

export const playground: JobHandler = async (ctx) => {
  // The rules startRun checks before a run is queued (lib/runs/config-rules.ts), in the same words.
  const cfg = parseRunConfig(playgroundJobConfigSchema, ctx.run.config);
  const store = new FolderCheckpointStore();
  const samples = [];
  for (const checkpoint of cfg.checkpoints) {
    await ctx.checkpointStep();
    samples.push({ checkpoint, ...(await sampleOne(store, checkpoint, cfg)) });
  }
  let scores: Array<number | null> = [null, null];
  if (cfg.reward) {
    await ctx.checkpointStep();
    const scored = await scoreRows({ store, checkpointId: cfg.reward.storeKey, rows: samples.map((s) => ({ prompt: cfg.prompt, response: s.text })) });
    scores = scored.map((s) => ("score" in s ? s.score : NaN));
  }
  const [first, second] = samples.map((s, i) => ({ ...s, score: scores[i] ?? null }));
  const result: PlaygroundResult = {
    prompt: cfg.prompt,
    settings: { temperature: cfg.temperature, maxNewTokens: cfg.maxNewTokens, seed: cfg.seed },
    reward: cfg.reward,
    samples: [first!, second!],
    pFirstBetter: first!.score === null || second!.score === null ? null : sigmoid(first!.score - second!.score),
  };
  ctx.log("playground sampled", { checkpoints: cfg.checkpoints.map((c) => c.storeKey), reward: cfg.reward?.storeKey ?? "none" });
  return { result };
};
