/**
 * Runs before every page. It decides no access (every page, action and route handler
 * calls the guard in lib/auth/guard.ts itself); it:
 * - refuses a cross-site POST to a page (a forged server action) with 403;
 * - gives the page a fresh CSP nonce (lib/security/csp.ts), on the request for Next's
 *   renderer and on the response for the browser;
 * - redirects signed-out visitors to the sign-in page;
 * - expires a form's flash cookie (lib/forms/flash.ts) in the response of the page it was left for, which reads
 *   it in this render, so a reload renders the page without it.
 */
import { withAuth, type NextRequestWithAuth } from "next-auth/middleware";
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { CROSS_SITE_MESSAGE, crossSiteReason } from "@/lib/security/cross-site";
import { flashFormOf } from "@/lib/forms/flash";
import { newNonce, pageContentSecurityPolicy } from "@/lib/security/csp";

/** Pages anyone may open: sign-in, and the one-time invite and password-reset pages (their token is the authorisation). */
const isPublicPage = (pathname: string) => pathname === "/signin" || pathname.startsWith("/invite/") || pathname.startsWith("/reset-password/");

/** Redirects a signed-out visitor to sign-in; answers nothing (undefined) for a signed-in one. */
const redirectSignedOut = withAuth({ pages: { signIn: "/signin" } });

export default async function proxy(request: NextRequest, event: NextFetchEvent) {
  if (crossSiteReason(request, env.NEXTAUTH_URL)) {
    return NextResponse.json({ error: { code: "forbidden:cross_site", message: CROSS_SITE_MESSAGE } }, { status: 403 });
  }

  const nonce = newNonce();
  const https = env.NEXTAUTH_URL?.startsWith("https://") ?? false;
  const policy = pageContentSecurityPolicy({ nonce, dev: env.NODE_ENV === "development", https });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const render = () => NextResponse.next({ request: { headers } });

  const response = isPublicPage(request.nextUrl.pathname)
    ? render()
    : ((await redirectSignedOut(request as NextRequestWithAuth, event)) ?? render());
  response.headers.set("Content-Security-Policy", policy);
  // The action scoped the cookie to the page it redirected to, which is this one. Appended as a raw header, the
  // expiry leaves the request's cookies as they came, so the page still reads the flash in this render.
  for (const cookie of request.cookies.getAll()) {
    if (flashFormOf(cookie.name) === null) continue;
    response.headers.append("Set-Cookie", `${cookie.name}=; Path=${request.nextUrl.pathname}; Max-Age=0; HttpOnly; SameSite=Lax${https ? "; Secure" : ""}`);
  }
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: route handlers answer 401 themselves and get their headers from next.config.mjs.
      source: "/((?!api/|_next/static|_next/image|favicon.ico|.*\\.(?:png|svg|ico|txt)$).*)",
      // Prefetches carry no document to protect.
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
