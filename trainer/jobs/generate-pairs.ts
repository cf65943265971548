/**
 * The loop back to labeling: sample K responses per prompt from a checkpoint (optionally
 * one side from a baseline such as the SFT model), record the checkpoint as each
 * response's source, and add every pair of them to a campaign.
 *
 * run.config: the job keys campaignId (required), checkpoint (store key; else the run's parent),
 * baseline (store key; when set, each pair is policy vs baseline) and reward (generatePairsJobKeys),
 * and the options of generatePairsOptions (prompts, k, sampling, select, maxPairs), resolved with
 * the same table the run form checks them with.
 *
 * Active selection: reward (a reward checkpoint's store key, as ppo's config.reward) scores every
 * sampled response with the shared prompt template; each candidate pair gets the uncertainty
 * u = 1 - |2p - 1| of p = sigmoid(score_a - score_b), stored as the pair's queue priority.
 * select "uncertain" keeps only the maxPairs most uncertain; "all" (the default) keeps every pair
 * (maxPairs 0, its default, is "not set").
 */
import { z } from "zod";
import { listCampaignPrompts } from "@/lib/campaigns/campaigns";
import { findCheckpointByStoreKey, getCheckpoint } from "@/lib/checkpoints/registry";
import { addRowsToCampaign } from "@/lib/imports/import";
import { generatePairsConfigProblems, refuseProblems } from "@/lib/runs/config-rules";
import type { NormalResponse, NormalRow } from "@/lib/imports/parse";
import { allPairs } from "@/lib/imports/parse";
import { FolderCheckpointStore, loadCheckpoint } from "../checkpoint";
import { resolveConfig } from "../cli/options";
import { generate } from "../generate";
import { disposeModel } from "../model";
import { formatPrompt, parseResponse, type PromptInput } from "../prompt-format";
import { mean, pairUncertainty } from "../rl-math";
import { loadRewardModel, scoreTexts, type RewardModel } from "../score";
import { generatePairsOptions } from "./generate-pairs-options";
import { generatePairsJobKeys } from "./job-keys";
import { takeKeys } from "./rlhf-job";
import { parseRunConfig } from "./run-config";
import type { JobHandler } from "./types";

/** The keys the job reads itself (generatePairsJobKeys); the tunables are generatePairsOptions. */
const jobKeysSchema = z.object({
  campaignId: z.uuid({ error: "must be a campaign id (a uuid)" }),
  checkpoint: z.string().optional(),
  baseline: z.string().optional(),
  reward: z.string().min(1).optional(),
});

/** run.config resolved: job keys checked with zod, the rest with generatePairsOptions (as the run form checks it), then the rules across keys (shared with startRun). */
function resolveGeneratePairsConfig(config: Record<string, unknown>) {
  const jobKeys = Object.keys(generatePairsJobKeys);
  const [own, rest] = takeKeys(config, jobKeys);
  const keys = parseRunConfig(jobKeysSchema, own);
  const options = resolveConfig(generatePairsOptions, rest, "config", jobKeys);
  // The rules startRun checked before queueing (lib/runs/config-rules.ts), again for a run queued another way.
  refuseProblems(generatePairsConfigProblems({ ...keys, ...options }));
  return { ...keys, ...options };
}
type Config = ReturnType<typeof resolveGeneratePairsConfig>;

async function sample(storeKey: string, prompts: PromptInput[], cfg: Config, k: number, beforeBatch: () => Promise<void>) {
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

/** Scores each row's distinct responses in batches, calling `beforeBatch` (heartbeat, cancel) before each. */
async function scoreResponses(rm: RewardModel, rows: NormalRow[], batchSize: number, beforeBatch: (batches: number) => Promise<void>) {
  const items = rows.flatMap((row, r) => [...new Set(row.pairs.flatMap((p) => [p.a.text, p.b.text]))].map((response) => ({ row: r, prompt: row.prompt, response })));
  const batches = Math.ceil(items.length / batchSize);
  const scores: number[] = [];
  for (let i = 0; i < items.length; i += batchSize) {
    await beforeBatch(batches);
    scores.push(...scoreTexts(rm, items.slice(i, i + batchSize), batchSize));
  }
  const byRow = rows.map(() => new Map<string, number>());
  items.forEach((item, i) => byRow[item.row]!.set(item.response, scores[i]!));
  return { responsesScored: items.length, scoreOf: (row: number, text: string) => byRow[row]!.get(text)! };
}

export const generatePairs: JobHandler = async (ctx) => {
  const cfg = resolveGeneratePairsConfig(ctx.run.config);
  // ||, not ??: an empty config.checkpoint is not given, as startRun reads it, so the parent counts.
  const storeKey = cfg.checkpoint || (ctx.run.parentCheckpointId ? (await getCheckpoint({ checkpointId: ctx.run.parentCheckpointId }))?.storeKey : undefined);
  if (!storeKey) throw new Error("a generate-pairs run needs config.checkpoint or a parent checkpoint");
  const policy = await findCheckpointByStoreKey({ storeKey });
  // Registered or not, as startRun accepts it (a checkpoint the CLI wrote is in the store only): its answers then name the store key and no checkpoint row, as the policy's do.
  const baseline = cfg.baseline ? await findCheckpointByStoreKey({ storeKey: cfg.baseline }) : null;

  const prompts = await listCampaignPrompts({ campaignId: cfg.campaignId, limit: cfg.prompts });
  if (prompts.length === 0) throw new Error("the campaign has no prompts to sample for");
  const promptInputs = prompts.map((p) => p.content);
  // loaded first, so a checkpoint without a reward head is refused before any sampling is spent
  const rm = cfg.reward ? await loadRewardModel(new FolderCheckpointStore(), cfg.reward).catch((e: Error) => Promise.reject(new Error(`config.reward: ${e.message}`))) : null;
  try {
    let batches = 0;
    const sampleBatches = Math.ceil(prompts.length / cfg.batchSize) * (cfg.k + (cfg.baseline ? 1 : 0));
    // Until sampling is done the scoring batches are an upper bound (every response distinct).
    let totalBatches = sampleBatches + (rm ? Math.ceil((prompts.length * (cfg.k + (cfg.baseline ? 1 : 0))) / cfg.batchSize) : 0);
    const step = async () => {
      ctx.reportProgress(batches + 1, totalBatches);
      await ctx.checkpointStep();
      await ctx.reportMetrics(++batches, { "generate/batches": batches });
    };
    ctx.log("sampling", { prompts: prompts.length, k: cfg.k, checkpoint: storeKey, baseline: cfg.baseline ?? null, reward: cfg.reward ?? null });
    const fromPolicy = await sample(storeKey, promptInputs, cfg, cfg.k, step);
    const fromBaseline = cfg.baseline ? await sample(cfg.baseline, promptInputs, cfg, 1, step) : null;

    const response = (text: string, source: string, checkpointId: string | null): NormalResponse => ({ text, source, metadata: { runId: ctx.run.id }, checkpointId });
    const rows: NormalRow[] = prompts.map((p, i) => {
      const mine = [...new Set(fromPolicy[i]!.filter(Boolean))].map((t) => response(t, policy?.name ?? storeKey, policy?.id ?? null));
      const pairs = fromBaseline
        ? mine.filter((m) => m.text !== fromBaseline[i]![0]).map((m) => ({ a: m, b: response(fromBaseline[i]![0]!, baseline?.name ?? cfg.baseline!, baseline?.id ?? null), gold: null }))
        : allPairs(mine, 0, i).map(([a, b]) => ({ a, b, gold: null }));
      return { line: i + 1, prompt: p.content, pairs: fromBaseline && !fromBaseline[i]![0] ? [] : pairs };
    });
    const candidatePairs = rows.reduce((n, r) => n + r.pairs.length, 0);

    let kept = rows;
    let selection: Record<string, unknown> = {};
    if (rm) {
      const { responsesScored, scoreOf } = await scoreResponses(rm, rows, cfg.batchSize, (scoreBatches) => {
        totalBatches = sampleBatches + scoreBatches;
        return step();
      });
      const scored = rows.map((row, r) => ({ ...row, pairs: row.pairs.map((p) => ({ ...p, priority: pairUncertainty(scoreOf(r, p.a.text), scoreOf(r, p.b.text)) })) }));
      kept = cfg.select === "uncertain" ? mostUncertain(scored, cfg.maxPairs) : scored;
      const u = kept.flatMap((r) => r.pairs.map((p) => p.priority!));
      selection = {
        reward: cfg.reward,
        select: cfg.select,
        maxPairs: cfg.maxPairs || null,
        responsesScored,
        candidatePairs,
        pairsKept: u.length,
        // reduce, not Math.min(...u): a run can keep a few hundred thousand pairs, past the argument limit.
        uncertainty: u.length ? { mean: mean(u), min: u.reduce((a, b) => Math.min(a, b)), max: u.reduce((a, b) => Math.max(a, b)) } : null,
      };
      ctx.log("pairs scored and selected", selection);
    }

    const usable = kept.filter((r) => r.pairs.length > 0);
    const { created, attempted } = await addRowsToCampaign({ campaignId: cfg.campaignId, rows: usable });
    ctx.log("pairs added", { created, duplicatesSkipped: attempted - created });
    return {
      result: {
        campaignId: cfg.campaignId,
        prompts: prompts.length,
        candidatePairs,
        pairsCreated: created,
        duplicatesSkipped: attempted - created,
        promptsWithoutPair: rows.filter((r) => r.pairs.length === 0).length,
        ...selection,
      },
    };
  } finally {
    if (rm) disposeModel(rm.model);
  }
};

/** The `maxPairs` pairs with the highest priority (uncertainty) over all rows; equal ones in sampling order. */
function mostUncertain(rows: NormalRow[], maxPairs: number): NormalRow[] {
  const ranked = rows.flatMap((row, r) => row.pairs.map((pair, j) => ({ r, j, u: pair.priority! }))).sort((x, y) => y.u - x.u || x.r - y.r || x.j - y.j);
  const keep = new Set(ranked.slice(0, maxPairs).map(({ r, j }) => `${r}|${j}`));
  return rows.map((row, r) => ({ ...row, pairs: row.pairs.filter((_, j) => keep.has(`${r}|${j}`)) }));
}
