import { FolderCheckpointStore } from "../checkpoint";
import { resolveConfig } from "../cli/options";
import { rewardOptions, trainRewardModel } from "../reward";
import { rewardJobKeys } from "./job-keys";
import { checkpointIdForRun, finishRlhfJob, preferenceRowsForRun, startCheckpoint, stepHooks, takeKeys } from "./rlhf-job";
import type { JobHandler } from "./types";

/**
 * Reward-model training as a worker job. run.config: data (preference JSONL) or snapshotId,
 * base (checkpoint id; else the run's parent checkpoint), and any reward option
 * (npm run trainer -- reward --help). Metrics every step; the best checkpoint is registered.
 */
export const reward: JobHandler = async (ctx) => {
  const [own, rest] = takeKeys(ctx.run.config, Object.keys(rewardJobKeys));
  const rows = await preferenceRowsForRun(own);
  const base = await startCheckpoint(ctx, own, "base");
  const config = resolveConfig(rewardOptions, rest, "run config");
  const res = await trainRewardModel({ rows, baseCheckpointId: base, config, store: new FolderCheckpointStore(), outputId: checkpointIdForRun(ctx), provenance: { runId: ctx.run.id, data: own.data ?? null, snapshotId: own.snapshotId ?? null }, onHealth: (flag) => ctx.raiseFlag(flag), ...stepHooks(ctx) });
  return finishRlhfJob(ctx, res.record, { ...res.metrics, stoppedEarly: res.stoppedEarly });
};
