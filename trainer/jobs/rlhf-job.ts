/**
 * What the reward, dpo and ppo job kinds share: where their data and starting checkpoint come
 * from in run.config, per-step heartbeat (honours cancel within one step) and metrics, and
 * registering the produced checkpoint with its lineage.
 */
import { getCheckpoint, registerCheckpoint } from "@/lib/checkpoints/registry";
import { snapshotPreferenceRows } from "@/lib/snapshots/snapshots";
import type { CheckpointRecord } from "../checkpoint";
import { readPreferenceJsonl, type PreferenceRow } from "../preferences";
import type { JobContext, JobResult } from "./types";

/** A run's checkpoint id: `<kind>-<first 8 hex digits of the run id>`, so a retried run overwrites its own. */
export const checkpointIdForRun = (ctx: JobContext) => `${ctx.run.kind}-${ctx.run.id.slice(0, 8)}`;

/** Splits run.config into the keys the job reads itself and the training config. */
export function takeKeys(config: Record<string, unknown>, keys: string[]): [Record<string, unknown>, Record<string, unknown>] {
  const own: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) (keys.includes(k) ? own : rest)[k] = v;
  return [own, rest];
}

/** Preference rows from config.snapshotId (a dataset snapshot) or config.data (a JSONL file the worker can read). */
export async function preferenceRowsForRun(own: Record<string, unknown>): Promise<PreferenceRow[]> {
  if (typeof own.snapshotId === "string" && own.snapshotId) return snapshotPreferenceRows({ snapshotId: own.snapshotId });
  if (typeof own.data === "string" && own.data) return readPreferenceJsonl(own.data);
  throw new Error("the run needs config.snapshotId (a dataset snapshot) or config.data (a preference JSONL file)");
}

/** A checkpoint's store key from config[key], else from the run's parent checkpoint. */
export async function startCheckpoint(ctx: JobContext, own: Record<string, unknown>, key: string): Promise<string> {
  if (typeof own[key] === "string" && own[key]) return own[key] as string;
  if (ctx.run.parentCheckpointId) {
    const parent = await getCheckpoint({ checkpointId: ctx.run.parentCheckpointId });
    if (parent) return parent.storeKey;
  }
  throw new Error(`the run needs config.${key} (a checkpoint id) or a parent checkpoint`);
}

/** Log lines, the planned step count and each step's progress, heartbeat and metrics, for trainers with onPlan/onStep. */
export function stepHooks(ctx: JobContext) {
  let planned = 0;
  return {
    log: (line: string) => ctx.log(line),
    onPlan: (totalSteps: number) => {
      planned = totalSteps;
    },
    onStep: async (step: number, metrics: Record<string, number>) => {
      ctx.reportProgress(step, planned);
      await ctx.checkpointStep();
      await ctx.reportMetrics(step, metrics);
    },
  };
}

export async function finishRlhfJob(ctx: JobContext, record: CheckpointRecord, result: Record<string, unknown>): Promise<JobResult> {
  const row = await registerCheckpoint({ record, runId: ctx.run.id });
  return { result: { checkpoint: record.id, backend: ctx.backend, ...result }, outputCheckpointId: row.id };
}
