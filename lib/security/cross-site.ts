/**
 * Cross-site request forgery check for requests that change state. A browser says where
 * a request comes from: Sec-Fetch-Site (every current browser), else Origin. Anything but
 * this site is refused. A request with neither header was not sent by a web page (curl,
 * scripts, the e2e API client), so no cookie rode along without its sender's say; those
 * pass, as the same approach in Go's net/http CrossOriginProtection does.
 *
 * Used by the route wrapper (for cookie sessions; bearer tokens cannot be forged across
 * sites) and by proxy.ts for pages, where server actions are posted. No server-only
 * import: proxy.ts loads it.
 */

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

type RequestLike = { method: string; headers: Headers; url: string };

/** Why the request is a cross-site state change to refuse, or null to let it through. */
export function crossSiteReason(request: RequestLike, publicUrl?: string): string | null {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return null;
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return `Sec-Fetch-Site is ${site}`;
  const origin = request.headers.get("origin");
  if (origin === null) return null;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return `Origin is ${origin.slice(0, 100)}`;
  }
  // This site's names: what the client asked for (Host, or a proxy's X-Forwarded-Host) and NEXTAUTH_URL.
  const hosts = [request.headers.get("x-forwarded-host")?.split(",")[0]?.trim(), request.headers.get("host"), new URL(request.url).host];
  if (publicUrl) hosts.push(new URL(publicUrl).host);
  return hosts.includes(originHost) ? null : `Origin ${origin.slice(0, 100)} is another site`;
}

/** next-auth's session cookie, under either of its names (`__Secure-` over https), chunked or not. */
export function hasSessionCookie(headers: Headers): boolean {
  return /(?:^|;\s*)(?:__Secure-)?next-auth\.session-token(?:\.\d+)?=/.test(headers.get("cookie") ?? "");
}

export const CROSS_SITE_MESSAGE = "Cross-site requests cannot change anything here. Use the app's own pages, or send an API token.";
