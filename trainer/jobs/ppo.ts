import { FolderCheckpointStore } from "../checkpoint";
import { resolveConfig } from "../cli/options";
import { corpusFiles, readCorpusDocs } from "../data/corpus";
import { ppoOptions } from "../ppo/config";
import { trainPpo } from "../ppo/ppo";
import type { PromptInput } from "../prompt-format";
import { promptKey, readPromptsFile } from "../preferences";
import { checkpointIdForRun, finishRlhfJob, preferenceRowsForRun, startCheckpoint, takeKeys } from "./rlhf-job";
import type { JobHandler } from "./types";

/**
 * PPO as a worker job. run.config: sft (checkpoint id; else the run's parent checkpoint),
 * reward (reward checkpoint id), prompts (a prompts file) or snapshotId (the snapshot's distinct
 * prompts), ptxData (text for PPO-ptx; default the
 * committed corpus), and any ppo option (npm run trainer -- ppo --help). Heartbeats after every
 * gradient step, metrics every iteration; always resumes a recovered run from its last state.
 * Sample generations and health flags are stored in the run's result.
 */
export const ppo: JobHandler = async (ctx) => {
  const [own, rest] = takeKeys(ctx.run.config, ["sft", "reward", "prompts", "snapshotId", "ptxData"]);
  const sft = await startCheckpoint(ctx, own, "sft");
  if (typeof own.reward !== "string" || !own.reward) throw new Error("a ppo run needs config.reward (a reward checkpoint id)");
  let prompts: PromptInput[];
  if (typeof own.prompts === "string" && own.prompts) prompts = await readPromptsFile(own.prompts);
  else if (own.snapshotId) prompts = [...new Map((await preferenceRowsForRun({ snapshotId: own.snapshotId })).map((r) => [promptKey(r), r.prompt])).values()];
  else throw new Error("a ppo run needs config.prompts (a prompts file) or config.snapshotId");
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
    provenance: { runId: ctx.run.id, prompts: own.prompts ?? null, snapshotId: own.snapshotId ?? null },
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
