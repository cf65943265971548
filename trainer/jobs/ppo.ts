import { FolderCheckpointStore } from "../checkpoint";
import { resolveConfig } from "../cli/options";
import { corpusFiles, readCorpusDocs } from "../data/corpus";
import { ppoOptions } from "../ppo/config";
import { trainPpo } from "../ppo/ppo";
import { promptKey } from "../preferences";
import { ppoJobKeys } from "./job-keys";
import { checkpointIdForRun, finishRlhfJob, preferenceRowsForRun, promptsForRun, startCheckpoint, takeKeys } from "./rlhf-job";
import type { JobHandler } from "./types";

/**
 * PPO as a worker job. run.config: sft (checkpoint id; else the run's parent checkpoint),
 * reward (reward checkpoint id), the prompts from one source: prompts (a prompts file), else
 * campaignId (the campaign's prompts, oldest first, at most promptLimit), else snapshotId (the
 * snapshot's distinct prompts; the runs form fills it from its snapshot field, so the explicit keys
 * win over it), ptxData (text for PPO-ptx; default the committed corpus), and any ppo option
 * (npm run trainer -- ppo --help). Heartbeats after every gradient step and within the rollout
 * (every 64 responses), metrics every iteration; always resumes a recovered run from its last state. Sample generations are stored with the run
 * as they are made (run_samples), health flags as they are raised (runs.health_flags, and the log).
 */
export const ppo: JobHandler = async (ctx) => {
  const [own, rest] = takeKeys(ctx.run.config, Object.keys(ppoJobKeys));
  const sft = await startCheckpoint(ctx, own, "sft");
  if (typeof own.reward !== "string" || !own.reward) throw new Error("a ppo run needs config.reward (a reward checkpoint id)");
  const { prompts, source } = await promptsForRun(own, {
    use: "train on",
    otherwise: "config.snapshotId",
    fallback: async () => {
      if (typeof own.snapshotId !== "string" || !own.snapshotId) throw new Error("a ppo run needs config.prompts (a prompts file), config.campaignId (a campaign's prompts) or config.snapshotId");
      const rows = await preferenceRowsForRun({ snapshotId: own.snapshotId });
      return { prompts: [...new Map(rows.map((r) => [promptKey(r), r.prompt])).values()], source: `snapshot ${own.snapshotId}` };
    },
  });
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
    heartbeat: () => ctx.checkpointStep(),
    onIteration: (iteration, metrics, budgetMsLeft) => {
      ctx.reportProgress(iteration, config.iterations, budgetMsLeft);
      return ctx.reportMetrics(iteration, metrics);
    },
    onSamples: (samples) => ctx.reportSamples(samples),
    onHealth: (flag) => ctx.raiseFlag(flag),
  });
  return finishRlhfJob(ctx, res.record, { ...res.metrics, samples: res.samples.length, iterations: res.history.length, resumedFrom: res.resumedFrom });
};
