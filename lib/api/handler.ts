import "server-only";
import { randomUUID } from "node:crypto";
import { ZodError, type ZodType } from "zod";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "@/db/errors";
import { env } from "@/lib/env";
import { AppError, isAppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { CROSS_SITE_MESSAGE, crossSiteReason, hasSessionCookie } from "@/lib/security/cross-site";
import { assertStorableText } from "./storable-text";

/** Bodies above this are refused before parsing. */
export const MAX_JSON_BODY_BYTES = 1_000_000;

type ApiErrorBody = { error: { code: string; message: string; requestId: string; details?: unknown } };

function errorResponse(err: unknown, requestId: string, route: string): Response {
  if (isAppError(err)) {
    if (err.status >= 500) logger.error({ requestId, route, code: err.code, err: err.cause }, err.message);
    else if (err.code === "forbidden:cross_site") logger.warn({ requestId, route, reason: err.cause }, err.message);
    return Response.json(
      { error: { code: err.code, message: err.message, requestId, details: err.details } } satisfies ApiErrorBody,
      { status: err.status, headers: { "x-request-id": requestId } },
    );
  }
  if (err instanceof ZodError) {
    const details = err.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    return Response.json(
      { error: { code: "bad_request:validation", message: "The request is not valid.", requestId, details } } satisfies ApiErrorBody,
      { status: 400, headers: { "x-request-id": requestId } },
    );
  }
  if (isDatabaseUnavailable(err)) {
    // A restarting or unreachable database: nothing was half written (every write is one
    // transaction), so the client may send the same request again, with the same ids.
    logger.warn({ requestId, route, err: err instanceof Error ? err.message : String(err) }, "database unavailable");
    return Response.json(
      { error: { code: "unavailable:database", message: DATABASE_UNAVAILABLE_MESSAGE, requestId } } satisfies ApiErrorBody,
      { status: 503, headers: { "x-request-id": requestId, "retry-after": "1" } },
    );
  }
  logger.error({ requestId, route, err }, "unhandled error in route handler");
  return Response.json(
    { error: { code: "internal", message: `Something went wrong on our side (request ${requestId}).`, requestId } } satisfies ApiErrorBody,
    { status: 500, headers: { "x-request-id": requestId } },
  );
}

/** A caller's own request id is kept when it is a plain token; anything else is replaced, not echoed. */
function requestIdOf(request: Request): string {
  const given = request.headers.get("x-request-id");
  return given && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

/**
 * A state change riding on a session cookie must come from this site (see
 * lib/security/cross-site.ts). Bearer-token calls carry no ambient credential, so a
 * cross-site page cannot forge them.
 */
function refuseCrossSite(request: Request): void {
  if (request.headers.has("authorization") || !hasSessionCookie(request.headers)) return;
  const reason = crossSiteReason(request, env.NEXTAUTH_URL);
  if (reason) throw new AppError("forbidden:cross_site", CROSS_SITE_MESSAGE, { cause: reason });
}

/**
 * Wraps a route handler: a request id on every response, cross-site state changes with
 * a session cookie refused, AppError and validation errors turned into their status with
 * a safe message, anything else logged and answered 500.
 */
export function apiRoute<Ctx>(handler: (request: Request, ctx: Ctx) => Promise<Response>) {
  return async (request: Request, ctx: Ctx): Promise<Response> => {
    const requestId = requestIdOf(request);
    const started = performance.now();
    const route = new URL(request.url).pathname;
    let response: Response;
    try {
      refuseCrossSite(request);
      response = await handler(request, ctx);
      response.headers.set("x-request-id", requestId);
    } catch (err) {
      response = errorResponse(err, requestId, route);
    }
    logger.info(
      { requestId, method: request.method, route, status: response.status, ms: Math.round(performance.now() - started) },
      "request",
    );
    return response;
  };
}

/** Reads and validates a JSON body, refusing oversized and malformed ones with a clear message. */
export async function parseJsonBody<T>(request: Request, schema: ZodType<T>): Promise<T> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_JSON_BODY_BYTES) {
    throw new AppError("payload_too_large", `The body is over ${MAX_JSON_BODY_BYTES} bytes.`);
  }
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_JSON_BODY_BYTES) {
    throw new AppError("payload_too_large", `The body is over ${MAX_JSON_BODY_BYTES} bytes.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AppError("bad_request:json", "The body is not valid JSON.");
  }
  assertStorableText(raw);
  return schema.parse(raw);
}
