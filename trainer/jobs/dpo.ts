import { FolderCheckpointStore } from "../checkpoint";
import { resolveConfig } from "../cli/options";
import { dpoOptions, trainDpo } from "../dpo";
import { dpoJobKeys } from "./job-keys";
import { checkpointIdForRun, finishRlhfJob, preferenceRowsForRun, startCheckpoint, stepHooks, takeKeys } from "./rlhf-job";
import type { JobHandler } from "./types";

/**
 * DPO as a worker job. run.config: data (preference JSONL) or snapshotId, sft (checkpoint id;
 * else the run's parent checkpoint), and any dpo option (npm run trainer -- dpo --help).
 */
export const dpo: JobHandler = async (ctx) => {
  const [own, rest] = takeKeys(ctx.run.config, Object.keys(dpoJobKeys));
  const rows = await preferenceRowsForRun(own);
  const sft = await startCheckpoint(ctx, own, "sft");
  const config = resolveConfig(dpoOptions, rest, "run config");
  const res = await trainDpo({ rows, sftCheckpointId: sft, config, store: new FolderCheckpointStore(), outputId: checkpointIdForRun(ctx), provenance: { runId: ctx.run.id, data: own.data ?? null, snapshotId: own.snapshotId ?? null }, ...stepHooks(ctx) });
  return finishRlhfJob(ctx, res.record, res.metrics);
};
