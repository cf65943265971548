import { expect, test, type APIResponse, type Page } from "@playwright/test";
import { credentialSignIn, DEMO_PASSWORD, signInAndWait } from "./helpers";

const common = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
};

function expectCommonHeaders(res: APIResponse, what: string): void {
  for (const [name, value] of Object.entries(common)) expect(res.headers()[name], `${name} on ${what}`).toBe(value);
}

test("every kind of response carries the security headers; pages a nonce CSP whose nonce is on every script", async ({ request }) => {
  const page = await request.get("/signin");
  expectCommonHeaders(page, "a page");
  const policy = page.headers()["content-security-policy"]!;
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(policy).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
  expect(policy).toMatch(/frame-ancestors 'none'/);
  expect(policy).toMatch(/object-src 'none'/);
  const nonce = /'nonce-([^']+)'/.exec(policy)![1];
  const html = await page.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(2);
  for (const tag of scripts) expect(tag, "every script tag carries this response's nonce").toContain(`nonce="${nonce}"`);
  expect((await request.get("/signin")).headers()["content-security-policy"]).not.toBe(policy);

  const redirect = await request.get("/research", { maxRedirects: 0 });
  expect(redirect.status()).toBe(307);
  expectCommonHeaders(redirect, "a redirect");
  expect(redirect.headers()["content-security-policy"]).toMatch(/'nonce-/);

  for (const path of ["/api/health", "/api/v1/me", "/api/v1/openapi.json"]) {
    const res = await request.get(path);
    expectCommonHeaders(res, path);
    expect(res.headers()["content-security-policy"], path).toBe("default-src 'none'; frame-ancestors 'none'; sandbox");
  }

  const chunk = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(html)![1]!;
  const asset = await request.get(chunk);
  expect(asset.status()).toBe(200);
  expectCommonHeaders(asset, "a static chunk");
});

/** Collects CSP violations the browser reports, from before any page script runs. */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const console: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text())) console.push(m.text());
  });
  page.on("pageerror", (e) => console.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} ${e.sample}`));
  });
  return async () => [...console, ...(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []))];
}

test("the app works under its CSP: sign-in, navigation, a server action, the labeling page", async ({ page, browser }) => {
  const violations = await watchCsp(page);
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  for (const path of ["/research/runs", "/research/snapshots", "/research/checkpoints", "/exports"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    expect(await violations(), path).toEqual([]);
  }
  await page.goto("/settings/tokens");
  await page.getByLabel("Name").fill(`csp ${Date.now()}`);
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("new-token")).toContainText("pw_");
  expect(await violations()).toEqual([]);

  const labeler = await (await browser.newContext()).newPage();
  const labelerViolations = await watchCsp(labeler);
  await signInAndWait(labeler, "labeler1@pairwise.local", "/label");
  await labeler.getByRole("region", { name: "Demo: short definitions" }).getByRole("link", { name: "Start labeling" }).click();
  await expect(labeler.getByLabel("Keyboard shortcuts")).toContainText("Enter submit");
  await labeler.keyboard.press("?");
  await expect(labeler.getByRole("dialog", { name: "Guidelines" })).toBeVisible();
  expect(await labelerViolations()).toEqual([]);
  await labeler.context().close();
});

test("cross-site state changes are refused: API calls on a session cookie and server actions", async ({ playwright, baseURL }) => {
  const ctx = await playwright.request.newContext({ baseURL });
  expect(await credentialSignIn(ctx, "researcher@pairwise.local", DEMO_PASSWORD)).toBeNull();
  const evil = { origin: "https://evil.example", "sec-fetch-site": "cross-site" };

  // The session works, and a same-site write gets past the check (to validation: the body is empty).
  expect((await ctx.get("/api/v1/me")).status()).toBe(200);
  const sameSite = await ctx.post("/api/v1/campaigns", { data: {}, headers: { origin: baseURL!, "sec-fetch-site": "same-origin" } });
  expect(sameSite.status()).toBe(400);

  const forged = await ctx.post("/api/v1/campaigns", { data: { name: "forged" }, headers: evil });
  expect(forged.status()).toBe(403);
  expect((await forged.json()).error.code).toBe("forbidden:cross_site");
  expect((await ctx.patch("/api/v1/campaigns/00000000-0000-4000-8000-000000000000", { data: {}, headers: { origin: "https://evil.example" } })).status()).toBe(403);
  // Reading is not a state change.
  expect((await ctx.get("/api/v1/campaigns", { headers: evil })).status()).toBe(200);

  // A server action posted from another site never reaches Next.
  const action = await ctx.post("/settings/tokens", { headers: { ...evil, "next-action": "0".repeat(40), "content-type": "text/plain;charset=UTF-8" }, data: "[]", maxRedirects: 0 });
  expect(action.status()).toBe(403);
  expect((await action.json()).error.code).toBe("forbidden:cross_site");
  await ctx.dispose();
});
