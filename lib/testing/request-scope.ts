/**
 * Runs route handlers and server actions in-process, outside Next's server.
 *
 * next-auth reads the session through `require("next/headers")`, which only works inside
 * Next's request scope. Tests put a stand-in for that one module into Node's require
 * cache: its `headers()` and `cookies()` answer from the Request being handled (held in
 * an AsyncLocalStorage). Everything else is real: the session cookie is a JWT that
 * next-auth itself decrypts and checks, and the guard reads the user row as it does in
 * production.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";
import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import type { User } from "@/db/schema";

// What next.config.mjs's `experimental.authInterrupts` sets, so forbidden() throws its 403 instead of an error.
process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS = "true";

const scope = new AsyncLocalStorage<NextRequest>();

function current(): NextRequest {
  const request = scope.getStore();
  if (!request) throw new Error("next/headers used outside lib/testing/request-scope's inRequestScope()");
  return request;
}

const require = createRequire(import.meta.url);
const nextHeadersPath = require.resolve("next/headers");
require.cache[nextHeadersPath] = {
  id: nextHeadersPath,
  filename: nextHeadersPath,
  loaded: true,
  exports: {
    headers: async () => current().headers,
    cookies: async () => current().cookies,
  },
} as unknown as NodeJS.Module;

/** Runs `fn` as if Next were handling `request`: next/headers answers from it. */
export function inRequestScope<T>(request: Request, fn: (request: NextRequest) => Promise<T>): Promise<T> {
  const next = request instanceof NextRequest ? request : new NextRequest(request);
  return scope.run(next, () => fn(next));
}

/** The cookie name next-auth uses over plain http (the tests' NEXTAUTH_URL is unset or http). */
const SESSION_COOKIE = "next-auth.session-token";

/** A session cookie exactly as next-auth writes it after a credentials sign-in. */
export async function sessionCookie(user: Pick<User, "id" | "email" | "name" | "role">, signedInAt = Date.now()): Promise<string> {
  const secret = process.env.NEXTAUTH_SECRET;
  if (!secret) throw new Error("NEXTAUTH_SECRET is not set (lib/testing/global-setup.ts sets it)");
  const jwt = await encode({ secret, token: { sub: user.id, email: user.email, name: user.name, uid: user.id, role: user.role, signedInAt } });
  return `${SESSION_COOKIE}=${jwt}`;
}
