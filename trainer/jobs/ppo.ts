import { z } from "zod";
import { listCampaignPrompts } from "@/lib/campaigns/campaigns";
import { FolderCheckpointStore } from "../checkpoint";
import { resolveConfig } from "../cli/options";
import { corpusFiles, readCorpusDocs } from "../data/corpus";
import { ppoOptions } from "../ppo/config";
import { trainPpo } from "../ppo/ppo";
import type { PromptInput } from "../prompt-format";
import { promptKey, readPromptsFile } from "../preferences";
import { ppoJobKeys } from "./job-keys";
import { checkpointIdForRun, finishRlhfJob, preferenceRowsForRun, startCheckpoint, takeKeys } from "./rlhf-job";
import { parseRunConfig } from "./run-config";
import type { JobHandler } from "./types";

/**
 * PPO as a worker job. run.config: sft (checkpoint id; else the run's parent checkpoint),
 * reward (reward checkpoint id), the prompts from one source: prompts (a prompts file), else
 * campaignId (the campaign's prompts, oldest first, at most promptLimit), else snapshotId (the
 * snapshot's distinct prompts; the runs form fills it from its snapshot field, so the explicit keys
 * win over it), ptxData (text for PPO-ptx; default the committed corpus), and any ppo option
 * (npm run trainer -- ppo --help). Heartbeats after every gradient step, metrics every iteration;
 * always resumes a recovered run from its last state. Sample generations and health flags are
 * stored in the run's result.
 */
export const ppo: JobHandler = async (ctx) => {
  const [own, rest] = takeKeys(ctx.run.config, Object.keys(ppoJobKeys));
  const sft = await startCheckpoint(ctx, own, "sft");
  if (typeof own.reward !== "string" || !own.reward) throw new Error("a ppo run needs config.reward (a reward checkpoint id)");
  const { prompts, source } = await promptsForRun(own);
  ctx.log("prompts", { source, prompts: prompts.length });
  const config = resolveConfig(ppoOptions, rest, "run config");
  const res = await trainPpo({
    store: new FolderCheckpointStore(),
    sftCheckpointId: sft,
    rewardCheckpointId: own.reward,
    prompts,
    ptxTexts: config.ptxCoef > 0 ? readCorpusDocs(typeof own.ptxData === "string" && own.ptxData ? own.ptxData : corpusFiles().corpusTrain) : undefined,
    config,
    outputId: checkpointIdForRun(ctx),
    resume: true,
    provenance: { runId: ctx.run.id, promptSource: source, prompts: own.prompts ?? null, campaignId: own.campaignId ?? null, snapshotId: own.snapshotId ?? null },
    log: (line) => ctx.log(line),
    onUpdate: () => ctx.checkpointStep(),
    onIteration: (iteration, metrics) => {
      ctx.reportProgress(iteration, config.iterations);
      return ctx.reportMetrics(iteration, metrics);
    },
    onHealth: (flag) => ctx.warn(`health: ${flag.flag} at iteration ${flag.iteration}: ${flag.message}`),
  });
  return finishRlhfJob(ctx, res.record, { ...res.metrics, samples: res.samples, healthFlags: res.flags, iterations: res.history.length, resumedFrom: res.resumedFrom });
};

const promptLimitError = "must be a whole number of prompts, at least 1";
const campaignSourceSchema = z.object({
  campaignId: z.uuid({ error: "must be a campaign id (a uuid)" }),
  promptLimit: z.number({ error: promptLimitError }).int({ error: promptLimitError }).min(1, { error: promptLimitError }).optional(),
});

/** The run's prompts and where they came from: config.prompts, else config.campaignId, else config.snapshotId. */
async function promptsForRun(own: Record<string, unknown>): Promise<{ prompts: PromptInput[]; source: string }> {
  if (own.promptLimit !== undefined && own.campaignId === undefined) throw new Error("config.promptLimit applies to config.campaignId");
  if (typeof own.prompts === "string" && own.prompts) return { prompts: await readPromptsFile(own.prompts), source: `file ${own.prompts}` };
  if (own.campaignId !== undefined) {
    const { campaignId, promptLimit } = parseRunConfig(campaignSourceSchema, { campaignId: own.campaignId, promptLimit: own.promptLimit });
    const rows = await listCampaignPrompts({ campaignId, limit: promptLimit });
    if (rows.length === 0) throw new Error(`campaign ${campaignId} has no prompts to train on (or does not exist); import pairs into it first, or give config.prompts or config.snapshotId`);
    return { prompts: rows.map((r) => r.content), source: `campaign ${campaignId}` };
  }
  if (typeof own.snapshotId === "string" && own.snapshotId) {
    return { prompts: [...new Map((await preferenceRowsForRun({ snapshotId: own.snapshotId })).map((r) => [promptKey(r), r.prompt])).values()], source: `snapshot ${own.snapshotId}` };
  }
  throw new Error("a ppo run needs config.prompts (a prompts file), config.campaignId (a campaign's prompts) or config.snapshotId");
}
