/** Next's server hooks (https://nextjs.org/docs/app/api-reference/file-conventions/instrumentation). */
import type { Instrumentation } from "next";

/**
 * Next also bundles this file for the Edge runtime, which cannot load the logger (pino,
 * node:path). NEXT_RUNTIME is inlined at build time, so the Edge bundle drops the import;
 * every page and route here runs on Node.
 */
/** Before the first request: Next's own print of a request's error gives way to onRequestError's line (lib/next-error-print.ts). */
export async function register(): Promise<void> {
  // eslint-disable-next-line no-restricted-properties -- a build-time constant, not configuration
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { holdNextErrorPrints } = await import("@/lib/next-error-print");
  holdNextErrorPrints();
}

/** An error a page, server action or route handler let escape: one JSON line under its digest. */
export const onRequestError: Instrumentation.onRequestError = async (...args) => {
  // eslint-disable-next-line no-restricted-properties -- a build-time constant, not configuration
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { logRequestError } = await import("@/lib/request-errors");
  await logRequestError(...args);
};
