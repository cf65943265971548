import type { JobHandler } from "./types";

/** Round-trips through the queue and records which tfjs backend the worker uses. */
export const healthcheck: JobHandler = async ({ backend, run }) => {
  return { result: { backend, node: process.version, queuedForMs: Date.now() - run.createdAt.getTime() } };
};
