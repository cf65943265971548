/** A trainer worker for tests, and a helper that runs one job through it. */
import pino from "pino";
import type { Run } from "@/db/schema";
import { enqueueRun, getRun } from "@/lib/runs/queue";
import type { JobHandler } from "@/trainer/jobs/types";
import { startWorker } from "@/trainer/worker-loop";

/** A worker that takes only `handlers`' kinds, polls every 50 ms and logs nothing. */
export function startTestWorker(handlers: Record<string, JobHandler>, { backend = "cpu" }: { backend?: string } = {}) {
  return startWorker({ backend, handlers, kinds: [], heartbeatTimeoutSeconds: 30, pollMs: 50, logger: pino({ level: "silent" }) });
}

/** Runs `handler` as the one job of a fresh kind through a test worker; the run as it ended. */
export async function runThroughTestWorker(handler: JobHandler): Promise<Run> {
  const kind = `test-${Math.random().toString(36).slice(2)}`;
  const worker = await startTestWorker({ [kind]: handler });
  try {
    const { id } = await enqueueRun({ kind });
    for (let i = 0; i < 400; i++) {
      const run = (await getRun({ runId: id }))!;
      if (run.status !== "queued" && run.status !== "running") return run;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`run ${id} did not end within 20 s`);
  } finally {
    await worker.stop();
  }
}
