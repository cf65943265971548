/**
 * What the sign-in page takes from its URL. Both values arrive from links anyone can write,
 * so neither is echoed: the callback must be a path on this site, and an error is shown only
 * as the sentence for a code next-auth sends.
 */

/** Where to go after signing in: a path on this site, else the home page. "//host" and "/\host" name another site. */
export function safeCallbackPath(value: string | string[] | undefined): string {
  const candidate = Array.isArray(value) ? value[0] : value;
  if (!candidate?.startsWith("/")) return "/";
  const base = "http://pairwise.invalid";
  try {
    const url = new URL(candidate, base);
    return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : "/";
  } catch {
    return "/";
  }
}

/** Said to a disabled account wherever it is refused: signing in again cannot help, an admin can. */
export const ACCOUNT_DISABLED_MESSAGE = "This account is disabled. Ask an admin to re-enable it.";

/**
 * next-auth's error codes that reach /signin (it redirects its /error page here), in words, and
 * AccountDisabled: the guard sends a disabled user's still-open session here with it.
 */
const messages: Record<string, string> = {
  AccountDisabled: ACCOUNT_DISABLED_MESSAGE,
  AccessDenied: "This account cannot sign in here. An admin must add your email first, and the account must not be disabled.",
  OAuthSignin: "Sign-in with GitHub did not start. Try again.",
  OAuthCallback: "Sign-in with GitHub did not complete. Try again.",
  Callback: "Sign-in did not complete. Try again.",
  SessionRequired: "Sign in to open that page.",
  Configuration: "Sign-in is not set up correctly on the server. Tell your admin.",
};

/** The message for an `error` in the sign-in URL; none for a wrong password (the form says that itself) or no error. */
export function signInErrorMessage(code: string | string[] | undefined): string | null {
  const value = Array.isArray(code) ? code[0] : code;
  if (!value || value === "CredentialsSignin") return null;
  return messages[value] ?? "Sign-in did not complete. Try again.";
}
