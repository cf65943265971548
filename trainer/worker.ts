/**
 * The trainer worker process (`npm run worker`; `npm start` runs one): picks its tfjs
 * backend, then claims and runs jobs from Postgres until SIGINT/SIGTERM.
 */
import { closeDatabase } from "@/db/client";
import { runningEmbeddedUrl } from "@/db/embedded";
import { dataDir, env, setDatabaseUrl } from "@/lib/env";
import { logger } from "@/lib/logger";
import { initBackend } from "./backend";
import { jobHandlers } from "./jobs";
import { startWorker } from "./worker-loop";

// `npm run worker` beside an `npm start` that runs the embedded PostgreSQL joins that database.
if (!env.DATABASE_URL) {
  const running = runningEmbeddedUrl(dataDir);
  if (!running) {
    console.error(`DATABASE_URL is not set and no embedded PostgreSQL is running in ${dataDir}/pg: start \`npm start\` first, or set DATABASE_URL.`);
    process.exit(1);
  }
  setDatabaseUrl(running);
}

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
