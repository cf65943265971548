/**
 * The trainer worker process (`npm run worker`; `npm start` runs one): picks its tfjs
 * backend, then claims and runs jobs from Postgres until SIGINT/SIGTERM.
 */
import { closeDatabase } from "@/db/client";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { initBackend } from "./backend";
import { jobHandlers } from "./jobs";
import { startWorker } from "./worker-loop";

const backend = await initBackend();
const worker = await startWorker({
  backend,
  handlers: jobHandlers,
  kinds: env.TRAINER_KINDS.split(",").map((k) => k.trim()).filter(Boolean),
  heartbeatTimeoutSeconds: env.WORKER_HEARTBEAT_TIMEOUT_S,
  pollMs: 1000,
  logger,
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await worker.stop();
  await closeDatabase();
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
