/**
 * Which database errors mean "the server is not reachable right now" (restarting, down, a
 * connection cut) rather than "this request is wrong". A request that failed for such a
 * reason can be sent again: the client pool reconnects on the next query.
 */

/** What a request or a form is told when the database is unreachable: nothing was written, so sending it again is safe. */
export const DATABASE_UNAVAILABLE_MESSAGE = "The database is not reachable right now; retry in a moment.";

/** Socket-level codes from Node and the connection codes postgres.js gives its own errors. */
const connectionCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "CONNECT_TIMEOUT",
]);

/**
 * SQLSTATEs of a server going away or not yet accepting connections: admin_shutdown,
 * crash_shutdown, cannot_connect_now, and class 08 (connection exception).
 */
function isUnavailableSqlState(code: string): boolean {
  return code === "57P01" || code === "57P02" || code === "57P03" || code.startsWith("08");
}

/** True when `err` (or an error it wraps, e.g. drizzle's DrizzleQueryError) says the database is unreachable. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (connectionCodes.has(code) || isUnavailableSqlState(code))) return true;
  }
  return false;
}
