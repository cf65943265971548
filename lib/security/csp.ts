/**
 * The Content-Security-Policy of every page, built per request by proxy.ts around a fresh
 * nonce. Next 16 reads the nonce from the request's policy header while rendering and
 * puts it on its own inline and chunk scripts; 'strict-dynamic' lets those load the rest.
 * So no inline script runs unless the server wrote it in this response, which is what an
 * injected <script> in a prompt or a guideline would need. Styles keep 'unsafe-inline':
 * React and recharts set style attributes, which a nonce cannot cover, and a style cannot
 * run code. Route handlers get a policy that allows nothing (next.config.mjs).
 */

export function pageContentSecurityPolicy({ nonce, dev, https }: { nonce: string; dev: boolean; https: boolean }): string {
  return [
    "default-src 'self'",
    // React's development build evaluates code to rebuild server stacks; production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/**
 * For JSON, files and streams: nothing to run, nothing to frame.
 * @public next.config.mjs reads it through jiti, which static analysis does not follow.
 */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

export function newNonce(): string {
  const bytes = new Uint8Array(18);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString("base64");
}
