import type { Run, RunHealthFlag } from "@/db/schema";
import type { RunSampleInput } from "@/lib/runs/samples";

/** What a job handler gets from the worker loop. */
export type JobContext = {
  run: Run;
  /** tfjs backend this worker runs on. */
  backend: string;
  /** A line of the run's log: the worker's JSON log and the run's stored tail (shown on the run page). */
  log: (msg: string, fields?: Record<string, unknown>) => void;
  /** A warning line, likewise (dropped data). */
  warn: (msg: string, fields?: Record<string, unknown>) => void;
  /** A health flag: stored with the run as it is raised (shown on the run page) and logged as a warning. */
  raiseFlag: (flag: RunHealthFlag) => Promise<void>;
  /** Stores sample generations with the run as they are made (one call per iteration). */
  reportSamples: (samples: RunSampleInput[]) => Promise<void>;
  /** Writes a step's metrics (TRL-style names). */
  reportMetrics: (step: number, values: Record<string, number>) => Promise<void>;
  /**
   * `done` of `total` steps (or iterations, or batches): stored with the next heartbeat, and the
   * source of the run's ETA. Call before reportMetrics of the same step. `budgetMsLeft`: the
   * milliseconds left of a time budget that may end the run before `total` (PPO's maxMinutes).
   */
  reportProgress: (done: number, total: number, budgetMsLeft?: number) => void;
  /**
   * Call once per training step: heartbeats, and throws RunCancelled when the run was
   * cancelled or recovered by another worker, so a long loop stops within one step.
   */
  checkpointStep: () => Promise<void>;
};

/** What a successful job returns: stored as the run's result. */
export type JobResult = { result: Record<string, unknown>; outputCheckpointId?: string };

export type JobHandler = (ctx: JobContext) => Promise<JobResult>;

export class RunCancelled extends Error {
  constructor(readonly reason: "cancelled" | "lost") {
    super(reason === "cancelled" ? "The run was cancelled." : "The worker no longer owns this run.");
  }
}
