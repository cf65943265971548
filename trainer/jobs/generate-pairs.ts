/**
 * The loop back to labeling: sample K responses per prompt from a checkpoint (optionally
 * one side from a baseline such as the SFT model), record the checkpoint as each
 * response's source, and add every pair of them to a campaign.
 *
 * run.config: campaignId (required); checkpoint (store key; else the run's parent);
 * baseline (store key; when set, each pair is policy vs baseline); prompts (how many of the
 * campaign's prompts, default 50); k (responses per prompt from the checkpoint, default 2);
 * temperature, topP, maxNewTokens, seed.
 */
import { z } from "zod";
import { listCampaignPrompts } from "@/lib/campaigns/campaigns";
import { findCheckpointByStoreKey, getCheckpoint } from "@/lib/checkpoints/registry";
import { addRowsToCampaign } from "@/lib/imports/import";
import type { NormalResponse, NormalRow } from "@/lib/imports/parse";
import { allPairs } from "@/lib/imports/parse";
import { FolderCheckpointStore, loadCheckpoint } from "../checkpoint";
import { generate } from "../generate";
import { disposeModel } from "../model";
import { formatPrompt, parseResponse, type PromptInput } from "../prompt-format";
import type { JobHandler } from "./types";

const configSchema = z.object({
  campaignId: z.uuid(),
  checkpoint: z.string().optional(),
  baseline: z.string().optional(),
  prompts: z.number().int().min(1).max(10_000).default(50),
  k: z.number().int().min(1).max(8).default(2),
  temperature: z.number().min(0).max(5).default(0.9),
  topP: z.number().gt(0).max(1).default(0.95),
  maxNewTokens: z.number().int().min(1).max(512).default(48),
  seed: z.number().int().default(1),
  batchSize: z.number().int().min(1).max(64).default(16),
});

async function sample(storeKey: string, prompts: PromptInput[], cfg: z.infer<typeof configSchema>, k: number, beforeBatch: () => Promise<void>) {
  const { model, tokenizer } = await loadCheckpoint(new FolderCheckpointStore(), storeKey);
  try {
    const out: string[][] = prompts.map(() => []);
    for (let s = 0; s < k; s++) {
      for (let i = 0; i < prompts.length; i += cfg.batchSize) {
        await beforeBatch();
        const batch = prompts.slice(i, i + cfg.batchSize).map(formatPrompt);
        const gens = generate(model, tokenizer, batch, { maxNewTokens: cfg.maxNewTokens, temperature: cfg.temperature, topP: cfg.topP, seed: cfg.seed + 1000 * s + i, stop: ["\n"] });
        gens.forEach((g, j) => out[i + j]!.push(parseResponse(g.text)));
      }
    }
    return out;
  } finally {
    disposeModel(model);
  }
}

export const generatePairs: JobHandler = async (ctx) => {
  const cfg = configSchema.parse(ctx.run.config);
  const storeKey = cfg.checkpoint ?? (ctx.run.parentCheckpointId ? (await getCheckpoint({ checkpointId: ctx.run.parentCheckpointId }))?.storeKey : undefined);
  if (!storeKey) throw new Error("a generate-pairs run needs config.checkpoint or a parent checkpoint");
  const policy = await findCheckpointByStoreKey({ storeKey });
  const baseline = cfg.baseline ? await findCheckpointByStoreKey({ storeKey: cfg.baseline }) : null;
  if (cfg.baseline && !baseline) throw new Error(`baseline checkpoint ${cfg.baseline} is not registered`);

  const prompts = await listCampaignPrompts({ campaignId: cfg.campaignId, limit: cfg.prompts });
  if (prompts.length === 0) throw new Error("the campaign has no prompts to sample for");
  const promptInputs = prompts.map((p) => p.content);
  let batches = 0;
  const batchesPerSample = Math.ceil(prompts.length / cfg.batchSize);
  const totalBatches = batchesPerSample * (cfg.k + (baseline ? 1 : 0));
  const step = async () => {
    ctx.reportProgress(batches + 1, totalBatches);
    await ctx.checkpointStep();
    await ctx.reportMetrics(++batches, { "generate/batches": batches });
  };
  ctx.log("sampling", { prompts: prompts.length, k: cfg.k, checkpoint: storeKey, baseline: cfg.baseline ?? null });
  const fromPolicy = await sample(storeKey, promptInputs, cfg, cfg.k, step);
  const fromBaseline = baseline ? await sample(cfg.baseline!, promptInputs, cfg, 1, step) : null;

  const response = (text: string, source: string, checkpointId: string | null): NormalResponse => ({ text, source, metadata: { runId: ctx.run.id }, checkpointId });
  const rows: NormalRow[] = prompts.map((p, i) => {
    const mine = [...new Set(fromPolicy[i]!.filter(Boolean))].map((t) => response(t, policy?.name ?? storeKey, policy?.id ?? null));
    const pairs = fromBaseline
      ? mine.filter((m) => m.text !== fromBaseline[i]![0]).map((m) => ({ a: m, b: response(fromBaseline[i]![0]!, baseline!.name, baseline!.id), gold: null }))
      : allPairs(mine, 0, i).map(([a, b]) => ({ a, b, gold: null }));
    return { line: i + 1, prompt: p.content, pairs: fromBaseline && !fromBaseline[i]![0] ? [] : pairs };
  });
  const usable = rows.filter((r) => r.pairs.length > 0);
  const { created } = await addRowsToCampaign({ campaignId: cfg.campaignId, rows: usable });
  ctx.log("pairs added", { created });
  return { result: { campaignId: cfg.campaignId, prompts: prompts.length, pairsCreated: created, promptsWithoutPair: prompts.length - usable.length } };
};

