/**
 * What the labeling page tells a labeler when a request fails, and whether it is worth sending
 * again. Used in the browser: no server imports here.
 */
import { ApiError } from "@/lib/query/fetch-json";

export type Trouble =
  /** The connection or the server failed; the same request may well succeed in a moment. */
  | { kind: "transient"; message: string }
  /** The session ended: signing in again helps. */
  | { kind: "signed_out"; message: string }
  /** An admin disabled the account: signing in again cannot help, only an admin can. */
  | { kind: "disabled"; message: string }
  /** The campaign was paused, archived or closed to this labeler: nothing to do here for now. */
  | { kind: "closed"; message: string }
  /** Anything else: the server's own message (a refused judgment, an expired lease). */
  | { kind: "refused"; message: string };

/**
 * Whether sending the same request again may succeed: no answer at all (fetch's TypeError),
 * a 5xx, a timeout or rate limit. A judgment carries its client submission id, so a resend
 * that reaches a server which already stored it stores nothing new.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof ApiError) return err.status >= 500 || err.status === 408 || err.status === 429;
  return err instanceof TypeError;
}

export function describeTrouble(err: unknown): Trouble {
  if (err instanceof ApiError && err.code === "unauthorized:account_disabled") {
    return { kind: "disabled", message: "Your account has been disabled. Ask an admin to re-enable it; until then this page takes no judgments from you." };
  }
  if (err instanceof ApiError && err.status === 401) {
    return { kind: "signed_out", message: "Your session has ended. Sign in again to go on; you will come back to this campaign." };
  }
  if (err instanceof ApiError && (err.code === "conflict:campaign_not_active" || err.code === "not_found:campaign")) {
    return { kind: "closed", message: `${err.message} It takes no judgments from you now.` };
  }
  if (isTransient(err)) {
    // The server's own words when it sent any (a 503 says why); a bare status or no answer in ours.
    if (err instanceof ApiError) return { kind: "transient", message: err.code === "unknown" ? `The server answered ${err.status}.` : err.message };
    return { kind: "transient", message: "The connection to the server failed." };
  }
  return { kind: "refused", message: err instanceof Error ? err.message : "The request failed." };
}

/** Whether the page must stop where it is: nothing the labeler can do on it would succeed. */
export function stopsLabeling(trouble: Trouble): boolean {
  return trouble.kind === "signed_out" || trouble.kind === "disabled" || trouble.kind === "closed";
}
