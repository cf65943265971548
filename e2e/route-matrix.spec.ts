import { expect, test, type APIRequest, type APIRequestContext } from "@playwright/test";
import { callers, concretePath, discoverRoutes, violation, type Caller } from "./route-matrix";
import { DEMO_PASSWORD } from "./helpers";

const accounts: Record<Exclude<Caller, "anonymous">, string> = {
  labeler: "labeler1@pairwise.local",
  researcher: "researcher@pairwise.local",
  admin: "admin@pairwise.local",
};

async function signedIn(request: APIRequest, baseURL: string, caller: Caller): Promise<APIRequestContext> {
  const ctx = await request.newContext({ baseURL });
  if (caller === "anonymous") return ctx;
  const { csrfToken } = (await (await ctx.get("/api/auth/csrf")).json()) as { csrfToken: string };
  await ctx.post("/api/auth/callback/credentials", { form: { csrfToken, email: accounts[caller], password: DEMO_PASSWORD, json: "true" } });
  expect((await ctx.get("/api/v1/me")).status()).toBe(200);
  return ctx;
}

test("the matrix itself catches an unguarded route", () => {
  // A handler that forgot its guard answers 200 to everyone: the rules flag it.
  const route = { path: "/api/v1/users", kind: "api" as const, methods: ["GET"] };
  expect(violation(route, "anonymous", { status: 200 })).toMatch(/let an anonymous caller through/);
  expect(violation(route, "labeler", { status: 200 })).toMatch(/let labeler through/);
  expect(violation({ path: "/api/v1/unlisted", kind: "api", methods: ["GET"] }, "admin", { status: 200 })).toMatch(/no access rule/);
});

test("every page and route handler answers each role as its rule says", async ({ playwright, baseURL }) => {
  test.setTimeout(180_000);
  const routes = discoverRoutes();
  expect(routes.length).toBeGreaterThan(30);
  const problems: string[] = [];
  let checked = 0;
  for (const caller of callers) {
    const ctx = await signedIn(playwright.request, baseURL!, caller);
    for (const route of routes) {
      // A malformed id in the URL names nothing either: it must get the same answers, never a 500.
      const urls = route.path.includes("[") ? [concretePath(route.path), concretePath(route.path, "not-a-uuid")] : [concretePath(route.path)];
      for (const url of urls) {
        for (const method of route.methods) {
          const res = await ctx.fetch(url, { method, maxRedirects: 0, data: method === "GET" ? undefined : {}, failOnStatusCode: false });
          const v = violation(route, caller, { status: res.status(), location: res.headers()["location"] }, method);
          if (v) problems.push(`${method} ${url}: ${v}`);
          checked++;
        }
      }
    }
    await ctx.dispose();
  }
  console.log(`route matrix: ${checked} requests over ${routes.length} routes and ${callers.length} callers`);
  expect(problems).toEqual([]);
});

test("a page for one record answers 404 to an id that names nothing, malformed or not", async ({ playwright, baseURL }) => {
  const ctx = await signedIn(playwright.request, baseURL!, "admin");
  const pages = discoverRoutes().filter((r) => r.kind === "page" && /\[\w+Id\]/.test(r.path));
  expect(pages.map((r) => r.path)).toEqual(["/label/[campaignId]", "/research/campaigns/[campaignId]", "/research/runs/[runId]"]);
  for (const route of pages) {
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid"]) {
      const url = concretePath(route.path, id);
      expect((await ctx.get(url, { maxRedirects: 0 })).status(), url).toBe(404);
    }
  }
  await ctx.dispose();
});

test("an address cut short leads to the page that lists what it named", async ({ playwright, baseURL }) => {
  const ctx = await signedIn(playwright.request, baseURL!, "researcher");
  for (const [from, to] of [
    ["/research/campaigns", "/research"],
    ["/settings", "/settings/tokens"],
  ]) {
    const res = await ctx.get(from!, { maxRedirects: 0 });
    expect(res.status(), from).toBe(307);
    expect(new URL(res.headers()["location"]!, baseURL).pathname, from).toBe(to);
  }
  await ctx.dispose();
});

test("a record's page title is as guarded as the page: a wrong role learns nothing from the tab", async ({ playwright, baseURL }) => {
  const admin = await signedIn(playwright.request, baseURL!, "admin");
  const { runs } = (await (await admin.get("/api/v1/runs")).json()) as { runs: { id: string; kind: string }[] };
  const { campaigns } = (await (await admin.get("/api/v1/campaigns")).json()) as { campaigns: { id: string; name: string }[] };
  const run = runs[0]!;
  const campaign = campaigns[0]!;
  const title = async (ctx: APIRequestContext, url: string) => /<title>([^<]*)<\/title>/.exec(await (await ctx.get(url, { maxRedirects: 0 })).text())?.[1];
  // The right role sees which record the tab holds.
  expect(await title(admin, `/research/runs/${run.id}`)).toBe(`${run.kind} run ${run.id.slice(0, 8)} · Pairwise`);
  expect(await title(admin, `/research/campaigns/${campaign.id}`)).toBe(`${campaign.name} · Pairwise`);
  // The wrong role gets the 403 page, and its title names neither.
  const labeler = await signedIn(playwright.request, baseURL!, "labeler");
  for (const url of [`/research/runs/${run.id}`, `/research/campaigns/${campaign.id}`]) {
    const res = await labeler.get(url, { maxRedirects: 0 });
    expect(res.status(), url).toBe(403);
    const html = await res.text();
    expect(/<title>([^<]*)<\/title>/.exec(html)?.[1], url).toBe("Pairwise");
    expect(html, url).not.toContain(`${run.kind} run`);
    expect(html, url).not.toContain(campaign.name);
  }
  await admin.dispose();
  await labeler.dispose();
});
