import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/query/fetch-json";
import { describeTrouble, isTransient, stopsLabeling } from "./trouble";

describe("isTransient", () => {
  it("sends again after no answer, a 5xx, a timeout or a rate limit", () => {
    expect(isTransient(new TypeError("Failed to fetch"))).toBe(true);
    expect(isTransient(new ApiError(500, "internal", "Something went wrong on our side (request 1)."))).toBe(true);
    expect(isTransient(new ApiError(503, "unavailable:database", "The database is not answering."))).toBe(true);
    expect(isTransient(new ApiError(502, "unknown", "Request failed (502)."))).toBe(true);
    expect(isTransient(new ApiError(408, "unknown", "Request failed (408)."))).toBe(true);
    expect(isTransient(new ApiError(429, "rate_limited", "Slow down."))).toBe(true);
  });

  it("does not send again what the server refused", () => {
    expect(isTransient(new ApiError(400, "bad_request:strength", "Say how much better (strength 1-4)."))).toBe(false);
    expect(isTransient(new ApiError(401, "unauthorized", "Sign in or send a valid API token."))).toBe(false);
    expect(isTransient(new ApiError(409, "conflict:already_judged", "You already judged this pair."))).toBe(false);
    expect(isTransient(new Error("something else"))).toBe(false);
  });
});

describe("describeTrouble", () => {
  it("asks a signed-out labeler to sign in again, whatever the server's wording", () => {
    expect(describeTrouble(new ApiError(401, "unauthorized", "Sign in or send a valid API token."))).toEqual({
      kind: "signed_out",
      message: "Your session has ended. Sign in again to go on; you will come back to this campaign.",
    });
  });

  it("tells a disabled account apart from an ended session: asking an admin helps, signing in does not", () => {
    const disabled = describeTrouble(new ApiError(401, "unauthorized:account_disabled", "This account is disabled. Ask an admin to re-enable it."));
    expect(disabled).toEqual({
      kind: "disabled",
      message: "Your account has been disabled. Ask an admin to re-enable it; until then this page takes no judgments from you.",
    });
    expect(describeTrouble(new ApiError(401, "unauthorized:token", "The API token is invalid or revoked.")).kind).toBe("signed_out");
    expect(stopsLabeling(disabled)).toBe(true);
  });

  it("says a paused, archived or closed campaign takes no judgments now", () => {
    expect(describeTrouble(new ApiError(409, "conflict:campaign_not_active", "This campaign is paused, not active."))).toEqual({
      kind: "closed",
      message: "This campaign is paused, not active. It takes no judgments from you now.",
    });
    expect(describeTrouble(new ApiError(404, "not_found:campaign", "No such campaign, or you are not on it.")).kind).toBe("closed");
  });

  it("words a lost connection and a bare status itself, and keeps the server's reason when it gave one", () => {
    expect(describeTrouble(new TypeError("Failed to fetch"))).toEqual({ kind: "transient", message: "The connection to the server failed." });
    expect(describeTrouble(new ApiError(502, "unknown", "Request failed (502)."))).toEqual({ kind: "transient", message: "The server answered 502." });
    expect(describeTrouble(new ApiError(503, "unavailable:database", "The database is not answering; try again in a moment."))).toEqual({
      kind: "transient",
      message: "The database is not answering; try again in a moment.",
    });
  });

  it("stops the page only where nothing on it could succeed", () => {
    const kinds = [
      new ApiError(401, "unauthorized", "Sign in or send a valid API token."),
      new ApiError(409, "conflict:campaign_not_active", "This campaign is paused, not active."),
      new TypeError("Failed to fetch"),
      new ApiError(409, "conflict:lease_expired", "Your lease on this pair expired and others have completed it. Take the next pair."),
    ].map((err) => stopsLabeling(describeTrouble(err)));
    expect(kinds).toEqual([true, true, false, false]);
  });

  it("passes a refusal's own message through", () => {
    expect(describeTrouble(new ApiError(409, "conflict:lease_expired", "Your lease on this pair expired and others have completed it. Take the next pair."))).toEqual({
      kind: "refused",
      message: "Your lease on this pair expired and others have completed it. Take the next pair.",
    });
  });
});
