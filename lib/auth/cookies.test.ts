/**
 * The cookies a credentials sign-in sets, read off next-auth's real responses: httpOnly
 * and SameSite=Lax always, Secure (with the __Secure-/__Host- prefixes) when NEXTAUTH_URL
 * is https.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { makeUser } from "@/lib/testing/fixtures";

type Route = typeof import("@/app/api/auth/[...nextauth]/route");

/** The route and request scope, loaded fresh so lib/env reads the stubbed NEXTAUTH_URL. */
async function load(nextAuthUrl: string) {
  vi.resetModules();
  vi.stubEnv("NEXTAUTH_URL", nextAuthUrl);
  const route: Route = await import("@/app/api/auth/[...nextauth]/route");
  const { inRequestScope } = await import("@/lib/testing/request-scope");
  const call = (path: string, init: RequestInit = {}) =>
    inRequestScope(new Request(`${nextAuthUrl}/api/auth/${path}`, init), (r) =>
      (init.method === "POST" ? route.POST : route.GET)(r, { params: Promise.resolve({ nextauth: path.split("/") }) }),
    );
  return { call };
}

/** Signs in with the credentials provider, as the sign-in form does; returns every Set-Cookie. */
async function signIn(nextAuthUrl: string, email: string, password: string): Promise<string[]> {
  const { call } = await load(nextAuthUrl);
  const csrf = await call("csrf");
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookies = csrf.headers.getSetCookie();
  const res = await call("callback/credentials", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookies.map((c) => c.split(";")[0]).join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  expect(res.status).toBe(200);
  return [...csrfCookies, ...res.headers.getSetCookie()];
}

function cookie(cookies: string[], name: string): string {
  const found = cookies.find((c) => c.startsWith(`${name}=`));
  if (!found) throw new Error(`no ${name} cookie among ${cookies.map((c) => c.split("=")[0]).join(", ")}`);
  return found;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("session cookies", () => {
  it("over http: httpOnly, SameSite=Lax, not Secure", async () => {
    const user = await makeUser("labeler", "correct-horse-battery");
    const cookies = await signIn("http://localhost:3000", user.email, "correct-horse-battery");
    for (const name of ["next-auth.session-token", "next-auth.csrf-token"]) {
      const c = cookie(cookies, name);
      expect(c).toMatch(/;\s*HttpOnly/i);
      expect(c).toMatch(/;\s*SameSite=Lax/i);
      expect(c).not.toMatch(/;\s*Secure/i);
    }
  });

  it("over https: also Secure, with the __Secure- and __Host- prefixes", async () => {
    const user = await makeUser("researcher", "correct-horse-battery");
    const cookies = await signIn("https://pairwise.example.org", user.email, "correct-horse-battery");
    for (const name of ["__Secure-next-auth.session-token", "__Host-next-auth.csrf-token", "__Secure-next-auth.callback-url"]) {
      const c = cookie(cookies, name);
      expect(c).toMatch(/;\s*HttpOnly/i);
      expect(c).toMatch(/;\s*SameSite=Lax/i);
      expect(c).toMatch(/;\s*Secure/i);
    }
    expect(cookies.some((c) => c.startsWith("next-auth.session-token="))).toBe(false);
  });

  it("a wrong password sets no session cookie", async () => {
    const user = await makeUser("labeler", "correct-horse-battery");
    const { call } = await load("http://localhost:3000");
    const csrf = await call("csrf");
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const res = await call("callback/credentials", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") },
      body: new URLSearchParams({ csrfToken, email: user.email, password: "wrong-password-1", json: "true" }),
    });
    expect(res.status).toBe(401); // refused for the password, not for anything else
    expect(((await res.json()) as { url: string }).url).toMatch(/error=Wrong%20email%20or%20password/);
    expect(res.headers.getSetCookie().some((c) => c.includes("session-token="))).toBe(false);
  });
});
