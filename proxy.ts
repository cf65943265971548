/**
 * Only redirects signed-out visitors of pages to the sign-in page. It decides no access:
 * every page, action and route handler calls the guard in lib/auth/guard.ts itself.
 */
import { withAuth } from "next-auth/middleware";
import type { NextFetchEvent, NextRequest } from "next/server";

const redirectSignedOut = withAuth({ pages: { signIn: "/signin" } });

export default function proxy(request: NextRequest, event: NextFetchEvent) {
  return redirectSignedOut(request as Parameters<typeof redirectSignedOut>[0], event);
}

export const config = {
  // Pages only: API routes answer 401 themselves; the sign-in page, the one-time invite and
  // password-reset pages (their token is the authorisation) and assets are public.
  matcher: ["/((?!api/|_next/|signin|invite/|reset-password/|favicon.ico|.*\\.(?:png|svg|ico|txt)$).*)"],
};
