/**
 * The flash: a form's success carried across the redirect that follows a form posted by the browser itself
 * (sent before the page's script ran). The server action sets it as a cookie on its 303, scoped to the page it
 * sends the browser to; that page reads it (lib/forms/form-action.ts flashResult) and proxy.ts expires the cookie
 * in the same response, so a reload shows the page without it. It carries what only that page may show, once (an
 * invite link, an API token): never the URL, which stays in the history.
 *
 * No server-only import: proxy.ts loads it.
 */

const COOKIE_PREFIX = "pairwise-flash-";

/** Seconds the cookie lives if the browser never follows the redirect: the flash is not kept for a later visit. */
export const FLASH_MAX_AGE_SECONDS = 60;

/** The cookie that carries form `form`'s flash to its page. */
export const flashCookieName = (form: string) => `${COOKIE_PREFIX}${form}`;

/** The form a flash cookie belongs to, or null for any other cookie. */
export function flashFormOf(cookieName: string): string | null {
  return cookieName.startsWith(COOKIE_PREFIX) ? cookieName.slice(COOKIE_PREFIX.length) : null;
}
