import { healthcheck } from "./healthcheck";
import type { JobHandler } from "./types";

/** Every job kind this worker can run. */
export const jobHandlers: Record<string, JobHandler> = {
  healthcheck,
};
