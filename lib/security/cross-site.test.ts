/**
 * Cross-site state changes are refused: route handlers with a session cookie (the route
 * wrapper) and page POSTs, i.e. server actions (proxy.ts). Bearer-token calls, same-site
 * requests and requests without browser headers pass. Also the page CSP nonce.
 */
import { count } from "drizzle-orm";
import { NextRequest, type NextFetchEvent } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { campaigns } from "@/db/schema";
import { buildFuzzWorld, type FuzzWorld } from "@/lib/testing/fuzz-world";
import { inRequestScope } from "@/lib/testing/request-scope";
import { crossSiteReason } from "./cross-site";

const APP = "http://localhost:3000";
let world: FuzzWorld;
let campaignsRoute: typeof import("@/app/api/v1/campaigns/route");
let judgmentRoute: typeof import("@/app/api/v1/judgments/[id]/route");
let proxy: typeof import("@/proxy").default;

beforeAll(async () => {
  campaignsRoute = await import("@/app/api/v1/campaigns/route");
  judgmentRoute = await import("@/app/api/v1/judgments/[id]/route");
  proxy = (await import("@/proxy")).default;
  world = await buildFuzzWorld();
}, 120_000);

const campaignCount = async () => (await db.select({ n: count() }).from(campaigns))[0]!.n;

async function createCampaign(headers: Record<string, string>) {
  const request = new Request(`${APP}/api/v1/campaigns`, {
    method: "POST",
    headers: { "content-type": "application/json", host: "localhost:3000", ...headers },
    body: JSON.stringify({ name: "cross-site test" }),
  });
  const res = await inRequestScope(request, (r) => campaignsRoute.POST(r, undefined));
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
}

describe("the check", () => {
  const req = (method: string, headers: Record<string, string>) => ({ method, url: `${APP}/x`, headers: new Headers({ host: "localhost:3000", ...headers }) });
  it("passes safe methods, same-origin browsers and clients without browser headers", () => {
    expect(crossSiteReason(req("GET", { origin: "https://evil.example", "sec-fetch-site": "cross-site" }))).toBeNull();
    expect(crossSiteReason(req("POST", { origin: APP, "sec-fetch-site": "same-origin" }))).toBeNull();
    expect(crossSiteReason(req("POST", { "sec-fetch-site": "none" }))).toBeNull();
    expect(crossSiteReason(req("POST", {}))).toBeNull();
    // Behind a proxy: the public name is the forwarded host or NEXTAUTH_URL's.
    expect(crossSiteReason(req("POST", { origin: "https://pairwise.example.org", "x-forwarded-host": "pairwise.example.org" }))).toBeNull();
    expect(crossSiteReason(req("POST", { origin: "https://pairwise.example.org" }), "https://pairwise.example.org")).toBeNull();
  });

  it("refuses other sites, sibling subdomains, opaque and malformed origins", () => {
    expect(crossSiteReason(req("POST", { "sec-fetch-site": "cross-site" }))).toMatch(/cross-site/);
    expect(crossSiteReason(req("DELETE", { "sec-fetch-site": "same-site" }))).toMatch(/same-site/);
    expect(crossSiteReason(req("PATCH", { origin: "https://evil.example" }))).toMatch(/another site/);
    expect(crossSiteReason(req("POST", { origin: "http://localhost:3001" }))).toMatch(/another site/);
    expect(crossSiteReason(req("POST", { origin: "null" }))).not.toBeNull();
    expect(crossSiteReason(req("POST", { origin: "::garbage" }))).not.toBeNull();
  });
});

describe("route handlers", () => {
  it("refuse a cross-site POST riding on a session cookie with 403, and write nothing", async () => {
    const before = await campaignCount();
    const attacks: Record<string, string>[] = [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }, { "sec-fetch-site": "same-site", origin: "https://x.localhost:3000" }];
    for (const headers of attacks) {
      const res = await createCampaign({ cookie: world.cookies.researcher, ...headers });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: "forbidden:cross_site", message: expect.stringMatching(/Cross-site requests/) });
    }
    expect(await campaignCount()).toBe(before);
  });

  it("refuse a cross-site DELETE too", async () => {
    const request = new Request(`${APP}/api/v1/judgments/${world.judgment.id}`, { method: "DELETE", headers: { cookie: world.cookies.labeler, "sec-fetch-site": "cross-site" } });
    const res = await inRequestScope(request, (r) => judgmentRoute.DELETE(r, { params: Promise.resolve({ id: world.judgment.id }) }));
    expect(res.status).toBe(403);
  });

  it("let the same site, non-browser clients and bearer tokens through", async () => {
    expect((await createCampaign({ cookie: world.cookies.researcher, origin: APP, "sec-fetch-site": "same-origin" })).status).toBe(201);
    expect((await createCampaign({ cookie: world.cookies.researcher })).status).toBe(201);
    // A token is sent on purpose by its holder; no page can make a browser attach it.
    expect((await createCampaign({ authorization: `Bearer ${world.tokens.researcher}`, origin: "https://evil.example", "sec-fetch-site": "cross-site" })).status).toBe(201);
  });
});

describe("pages (proxy.ts)", () => {
  const run = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) => {
    const request = new NextRequest(`${APP}${path}`, { method: init.method ?? "GET", headers: { host: "localhost:3000", ...init.headers } });
    // The event is only handed through to next-auth's withAuth, which does not use it.
    return proxy(request, {} as NextFetchEvent);
  };

  it("refuses a cross-site server action POST before it reaches Next", async () => {
    const res = await run("/research/runs", { method: "POST", headers: { "next-action": "7f00", cookie: world.cookies.researcher, origin: "https://evil.example" } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden:cross_site");
  });

  it("gives each page a fresh nonce, on the response's CSP and on the request Next renders", async () => {
    const first = await run("/signin");
    const second = await run("/signin");
    const policy = first.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    expect(policy).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(policy).toMatch(/frame-ancestors 'none'/);
    expect(policy).toMatch(/object-src 'none'/);
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    // NextResponse.next({ request: { headers } }) hands the request headers on as x-middleware-request-*.
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
    expect(second.headers.get("content-security-policy")).not.toBe(policy);
  });

  it("redirects a signed-out visitor of a page to sign-in, with the CSP still set", async () => {
    const res = await run("/research");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toMatch(/\/signin\?callbackUrl=/);
    expect(res.headers.get("content-security-policy")).toMatch(/'nonce-/);
  });

  it("lets a signed-in page request through", async () => {
    const res = await run("/research", { headers: { cookie: world.cookies.researcher } });
    expect(res.headers.get("x-middleware-next")).toBe("1");
  });

  it("leaves a form's flash cookie for the page it was left for to read, and expires it in that page's response", async () => {
    const flash = JSON.stringify({ email: "ünïcode@pairwise.local", path: "/invite/abc", lifetime: "7 days" });
    const res = await run("/admin", { headers: { cookie: `${world.cookies.admin}; pairwise-flash-invite=${encodeURIComponent(flash)}` } });
    expect(res.headers.get("x-middleware-next")).toBe("1");
    // The request Next renders keeps the cookie (the page reads it: flashResult)...
    expect(res.headers.get("x-middleware-request-cookie")).toContain(`pairwise-flash-invite=${encodeURIComponent(flash)}`);
    // ...and the response expires it, on the path the action scoped it to.
    expect(res.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^pairwise-flash-invite=; Path=\/admin; Max-Age=0; HttpOnly; SameSite=Lax$/));
    const without = await run("/admin", { headers: { cookie: world.cookies.admin } });
    expect(without.headers.getSetCookie().filter((c) => c.startsWith("pairwise-flash-"))).toEqual([]);
  });
});
