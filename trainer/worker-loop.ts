/**
 * The worker: registers itself, heartbeats, recovers runs of dead workers, and claims
 * runs of the kinds it handles, one at a time.
 */
import type { RunProgress } from "@/db/schema";
import type { RunLogLevel } from "@/db/values";
import { appendRunLogs } from "@/lib/runs/logs";
import { recordRunSamples } from "@/lib/runs/samples";
import {
  claimRun,
  finishRun,
  heartbeatRun,
  raiseRunFlag,
  recordMetrics,
  recoverStaleRuns,
} from "@/lib/runs/queue";
import { heartbeatWorker, markWorkerStopped, registerWorker } from "@/lib/workers/workers";
import type { Logger } from "@/lib/logger";
import { RunCancelled, type JobContext, type JobHandler } from "./jobs/types";
import { healthFlagLine } from "./ppo/health";
import { createRunLogWriter, formatLogLine, isLoggedStep, stepLine } from "./run-log";

export type WorkerOptions = {
  backend: string;
  handlers: Record<string, JobHandler>;
  /** Kinds to take; empty = every kind in `handlers`. */
  kinds: string[];
  heartbeatTimeoutSeconds: number;
  pollMs: number;
  logger: Logger;
};

const STOP_GRACE_MS = 3000;

function withDeadline(promise: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
}

export type RunningWorker = { id: string; stop: () => Promise<void>; idle: () => Promise<void> };

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const kinds = options.kinds.length ? options.kinds.filter((k) => k in options.handlers) : Object.keys(options.handlers);
  const unknown = options.kinds.filter((k) => !(k in options.handlers));
  if (unknown.length) throw new Error(`TRAINER_KINDS names kinds this worker cannot run: ${unknown.join(", ")}`);
  const worker = await registerWorker({ backend: options.backend, kinds });
  const log = options.logger.child({ workerId: worker.id });
  log.info({ backend: options.backend, kinds }, "worker registered");

  let stopping = false;
  let busy: Promise<void> = Promise.resolve();
  let wake: (() => void) | null = null;

  const beat = setInterval(() => {
    heartbeatWorker({ workerId: worker.id }).catch((err) => log.warn({ err: String(err) }, "worker heartbeat failed"));
  }, Math.min(5000, (options.heartbeatTimeoutSeconds * 1000) / 3));

  async function runOne(): Promise<boolean> {
    await recoverStaleRuns({ timeoutSeconds: options.heartbeatTimeoutSeconds });
    const run = await claimRun({ workerId: worker.id, kinds });
    if (!run) return false;
    const runLog = log.child({ runId: run.id, kind: run.kind });
    // Every line goes to the worker's JSON log and to the run's stored tail.
    const tail = createRunLogWriter({ runId: run.id, append: appendRunLogs, logger: runLog });
    const line = (level: RunLogLevel, msg: string, fields?: Record<string, unknown>, err?: unknown) => {
      runLog[level]({ ...fields, ...(err ? { err } : {}) }, msg);
      tail.push(level, formatLogLine(msg, fields));
    };
    line("info", `run claimed by worker ${worker.id.slice(0, 8)} (${options.backend}), attempt ${run.attempts} of ${run.maxAttempts}`);
    let lastBeat = 0;
    let progress: Omit<RunProgress, "at"> | null = null;
    let firstReport: { done: number; t: number } | null = null;
    const ctx: JobContext = {
      run,
      backend: options.backend,
      log: (msg, fields) => line("info", msg, fields),
      warn: (msg, fields) => line("warn", msg, fields),
      raiseFlag: async (flag) => {
        if (await raiseRunFlag({ runId: run.id, flag })) line("warn", healthFlagLine(flag));
      },
      reportSamples: (samples) => recordRunSamples({ runId: run.id, samples }),
      reportMetrics: async (step, values) => {
        await recordMetrics({ runId: run.id, step, values });
        if (progress && step === progress.done && isLoggedStep(step, progress.total)) tail.push("info", stepLine(step, progress.total, values));
      },
      reportProgress: (done, total, budgetMsLeft) => {
        if (!Number.isFinite(done) || !(total > 0)) return;
        const t = performance.now();
        firstReport ??= { done, t };
        progress = { done, total, firstDone: firstReport.done, elapsedMs: Math.round(t - firstReport.t) };
        if (budgetMsLeft !== undefined && Number.isFinite(budgetMsLeft)) progress.budgetMsLeft = Math.round(budgetMsLeft);
      },
      checkpointStep: async () => {
        if (Date.now() - lastBeat < 1000) return;
        lastBeat = Date.now();
        const state = await heartbeatRun({ runId: run.id, workerId: worker.id, progress });
        if (!state.owned) throw new RunCancelled("lost");
        if (state.cancelRequested) throw new RunCancelled("cancelled");
      },
    };
    // The log tail is stored before the final status, so a page that sees the run end finds every line.
    try {
      const { result, outputCheckpointId } = await options.handlers[run.kind]!(ctx);
      // A job that went too long without a heartbeat may have lost the run to another worker:
      // then its result is not this attempt's to report.
      if (!(await heartbeatRun({ runId: run.id, workerId: worker.id, progress })).owned) throw new RunCancelled("lost");
      line("info", "run succeeded");
      await tail.flush();
      await finishRun({ runId: run.id, workerId: worker.id, status: "succeeded", result, outputCheckpointId, progress });
    } catch (err) {
      if (err instanceof RunCancelled) {
        line(err.reason === "cancelled" ? "info" : "warn", err.reason === "cancelled" ? "run cancelled" : "run stopped: another worker took it over", { reason: err.reason });
        await tail.flush();
        if (err.reason === "cancelled") await finishRun({ runId: run.id, workerId: worker.id, status: "cancelled", progress });
      } else {
        const message = err instanceof Error ? err.message : String(err);
        line("error", `run failed: ${message}`, undefined, err);
        await tail.flush();
        await finishRun({ runId: run.id, workerId: worker.id, status: "failed", error: message, progress });
      }
    }
    return true;
  }

  const loop = (async () => {
    while (!stopping) {
      let worked = false;
      busy = runOne()
        .then((w) => {
          worked = w;
        })
        .catch((err) => log.warn({ err: String(err) }, "queue poll failed; retrying"));
      await busy;
      if (!worked && !stopping) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, options.pollMs);
        });
      }
    }
  })();

  return {
    id: worker.id,
    idle: () => busy,
    stop: async () => {
      stopping = true;
      wake?.();
      clearInterval(beat);
      // On Ctrl-C the database may already be shutting down: do not wait on it for long.
      await withDeadline(loop, STOP_GRACE_MS);
      await withDeadline(markWorkerStopped({ workerId: worker.id }).catch(() => {}), STOP_GRACE_MS);
      log.info("worker stopped");
    },
  };
}
