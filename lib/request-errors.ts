import type { Instrumentation } from "next";
import { digestOf } from "@/lib/error-digest";
import { logger } from "@/lib/logger";
import { claimNextErrorPrint } from "@/lib/next-error-print";

/**
 * The path without its query, or only the route where the path is a secret: an invite or
 * password-reset link is its token.
 */
export function loggablePath(path: string, routePath: string): string {
  return routePath.includes("[token]") ? routePath : path.split("?")[0]!;
}

/**
 * One JSON line per error a page, server action or route handler let escape, keyed by the
 * digest the user sees on the error page, so an operator can find the cause from the
 * reference a user quotes (docs/reliability.md). The only line: Next's own print of the same
 * error is dropped (lib/next-error-print.ts).
 */
export const logRequestError: Instrumentation.onRequestError = (err, request, context) => {
  claimNextErrorPrint(err);
  logger.error(
    {
      digest: digestOf(err),
      method: request.method,
      path: loggablePath(request.path, context.routePath),
      route: context.routePath,
      routeType: context.routeType,
      err,
    },
    "unhandled error while serving a request",
  );
};
