import { describe, expect, it } from "vitest";
import { safeCallbackPath, signInErrorMessage } from "./signin-page";

describe("the sign-in page's callback", () => {
  it("keeps a path on this site, with its query", () => {
    expect(safeCallbackPath("/research/runs?kind=ppo")).toBe("/research/runs?kind=ppo");
    expect(safeCallbackPath("/")).toBe("/");
  });

  it("sends every other value home: another site, a scheme, nothing, a repeated value's later ones", () => {
    for (const value of ["//evil.example/x", "/\\evil.example", "https://evil.example", "javascript:alert(1)", "", undefined, "research"]) {
      expect(safeCallbackPath(value), String(value)).toBe("/");
    }
    expect(safeCallbackPath(["/label", "//evil.example"])).toBe("/label");
  });
});

describe("the sign-in page's error", () => {
  it("says a known next-auth code in words", () => {
    expect(signInErrorMessage("AccessDenied")).toMatch(/^This account cannot sign in here/);
    expect(signInErrorMessage("OAuthCallback")).toBe("Sign-in with GitHub did not complete. Try again.");
  });

  it("tells a disabled user sent here by the guard why signing in will not help", () => {
    expect(signInErrorMessage("AccountDisabled")).toBe("This account is disabled. Ask an admin to re-enable it.");
  });

  it("never echoes the URL's text, and does not choke on a stray percent sign", () => {
    expect(signInErrorMessage("Your account is locked. Call +1 555 0100")).toBe("Sign-in did not complete. Try again.");
    expect(signInErrorMessage("100%")).toBe("Sign-in did not complete. Try again.");
    expect(signInErrorMessage(["Call us", "AccessDenied"])).toBe("Sign-in did not complete. Try again.");
  });

  it("shows nothing for no error and for a wrong password, which the form words itself", () => {
    expect(signInErrorMessage(undefined)).toBeNull();
    expect(signInErrorMessage("CredentialsSignin")).toBeNull();
  });
});
