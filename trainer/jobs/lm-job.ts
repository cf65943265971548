/**
 * What the pretrain and sft job kinds share: the run's config checked against the command's
 * option table, per-step heartbeat and metrics, and registering the produced checkpoint.
 */
import { registerCheckpoint } from "@/lib/checkpoints/registry";
import type { BackendName } from "../env";
import type { LmRunResult } from "../lm-loop";
import type { JobContext, JobResult } from "./types";

/** A run's id as a checkpoint id: `<kind>-<first 8 hex digits of the run id>`. */
export const outputIdForRun = (ctx: JobContext) => `${ctx.run.kind}-${ctx.run.id.slice(0, 8)}`;

/** `totalSteps`: the run's configured steps, for its progress and ETA. */
export function loopHooks(ctx: JobContext, totalSteps: number) {
  return {
    backend: ctx.backend as BackendName,
    log: (line: string) => ctx.log(line),
    onStep: async (step: number, metrics: Record<string, number>) => {
      ctx.reportProgress(step, totalSteps);
      await ctx.checkpointStep();
      await ctx.reportMetrics(step, metrics);
    },
    heartbeat: () => ctx.checkpointStep(),
  };
}

export async function finishLmJob(ctx: JobContext, out: LmRunResult): Promise<JobResult> {
  if (!out.record) throw new Error("training stopped before its last step");
  const row = await registerCheckpoint({ record: out.record, runId: ctx.run.id });
  return { result: { checkpoint: out.record.id, ...out.metrics }, outputCheckpointId: row.id };
}
