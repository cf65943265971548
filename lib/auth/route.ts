/**
 * next-auth's own endpoints (/api/auth/*), behind the route wrapper. next-auth answers 500
 * ("a problem with the server configuration") to a callbackUrl that is not an http(s) URL,
 * and to a GET of the credentials callback; it throws on a JSON body that does not parse,
 * copies /error's code into a Location header unencoded (a non-Latin-1 or CR/LF code
 * throws there, and a repeated `error` query counts by its last value), and URI-encodes the provider id of /signin/ID into its redirect (an unpaired
 * UTF-16 surrogate throws there). All are the caller's mistake, found by lib/api/routes.fuzz.test.ts, so
 * they are refused here with a 400 before next-auth sees them.
 */
import "server-only";
import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { isStorableText } from "@/lib/api/storable-text";
import { AppError } from "@/lib/errors";
import { authOptions } from "./options";

const nextAuth = NextAuth(authOptions);
const callbackCookies = ["next-auth.callback-url", "__Secure-next-auth.callback-url"];

/** The check next-auth applies (core/lib/assert.ts): an absolute http(s) URL, or a path. */
function isHttpUrlOrPath(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value, value.startsWith("/") ? "http://localhost" : undefined).protocol);
  } catch {
    return false;
  }
}

export async function authRoute(request: Request, ctx: { params: Promise<{ nextauth: string[] }> }): Promise<Response> {
  const req = request instanceof NextRequest ? request : new NextRequest(request);
  if (req.nextUrl.searchParams.getAll("callbackUrl").some((u) => u && !isHttpUrlOrPath(u))) {
    throw new AppError("bad_request:callback_url", "callbackUrl must be an http(s) URL or a path on this site.");
  }
  const badCookie = callbackCookies.find((name) => {
    const value = req.cookies.get(name)?.value;
    return value && !isHttpUrlOrPath(value);
  });
  if (badCookie) {
    // Only a broken client sends one; clearing it lets the next attempt through.
    const error = { code: "bad_request:callback_url", message: "The callback URL cookie is not valid; it has been cleared. Try again." };
    return Response.json({ error }, { status: 400, headers: { "set-cookie": `${badCookie}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax` } });
  }
  const segments = (await ctx.params).nextauth;
  if (!segments.every(isStorableText)) throw new AppError("bad_request:path", "The path holds a NUL character or an unpaired UTF-16 surrogate.");
  const [action, detail] = segments;
  if (action === "error") {
    // next-auth reads the last `error` of a repeated query (Object.fromEntries), so every one is checked.
    const codes = req.nextUrl.searchParams.getAll("error");
    if (!(codes.length ? codes : [detail ?? ""]).every((code) => /^[A-Za-z]{0,64}$/.test(code))) throw new AppError("bad_request:auth_error_code", "Unknown sign-in error code.");
  }
  if (action === "callback" && detail === "credentials" && req.method !== "POST") {
    throw new AppError("bad_request:method", "Credentials are sent to this endpoint by POST.");
  }
  if (req.method === "POST" && req.headers.get("content-type")?.includes("application/json")) {
    try {
      JSON.parse(await req.clone().text());
    } catch {
      throw new AppError("bad_request:json", "The body is not valid JSON.");
    }
  }
  return nextAuth(req, ctx);
}
