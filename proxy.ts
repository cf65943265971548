/**
 * Runs before every page. It decides no access (every page, action and route handler
 * calls the guard in lib/auth/guard.ts itself); it:
 * - refuses a cross-site POST to a page (a forged server action) with 403;
 * - gives the page a fresh CSP nonce (lib/security/csp.ts), on the request for Next's
 *   renderer and on the response for the browser;
 * - redirects signed-out visitors to the sign-in page.
 */
import { withAuth, type NextRequestWithAuth } from "next-auth/middleware";
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { CROSS_SITE_MESSAGE, crossSiteReason } from "@/lib/security/cross-site";
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
  const policy = pageContentSecurityPolicy({ nonce, dev: env.NODE_ENV === "development", https: env.NEXTAUTH_URL?.startsWith("https://") ?? false });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const render = () => NextResponse.next({ request: { headers } });

  const response = isPublicPage(request.nextUrl.pathname)
    ? render()
    : ((await redirectSignedOut(request as NextRequestWithAuth, event)) ?? render());
  response.headers.set("Content-Security-Policy", policy);
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
