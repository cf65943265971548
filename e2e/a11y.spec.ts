import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { apiSession, chartedRun, liveLinkTokens, newLabelers, signInAndWait } from "./helpers";
import { pagesFor as pagesWith, type Caller, type PageIds } from "./route-matrix";

/**
 * axe (WCAG 2.x A and AA rules) on every page each role can open, with the records that make
 * the pages full: a pair on the labeling page, a run with its charts and log, live invite and
 * reset links. A serious or critical violation fails the test; the milder ones are listed in
 * the test's annotations.
 *
 * What it makes stays out of other specs' way: its judges are labelers made here (the demo ones
 * belong to other specs' counts), and its run is cancelled once it has charted a few steps, so
 * it registers no reward model (the playground's "no reward model yet" belongs to another spec).
 */
const wcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

let ids: PageIds;

test.beforeAll(async ({ playwright, baseURL }) => {
  test.setTimeout(240_000);
  const researcher = await apiSession(playwright.request, baseURL!, "researcher@pairwise.local");
  const admin = await apiSession(playwright.request, baseURL!, "admin@pairwise.local");
  const judges = await newLabelers(admin, "a11y", 3);
  const { campaigns } = await (await researcher.get("/api/v1/campaigns")).json();
  const demo = (campaigns as { id: string; name: string }[]).find((c) => c.name === "Demo: short definitions")!;
  const runId = await chartedRun({ researcher, judges, request: playwright.request, baseURL: baseURL!, name: "A11y" });
  ids = { campaignId: demo.id, runId, ...(await liveLinkTokens({ admin, prefix: "a11y", resetUserId: judges[0]!.id })) };
  await researcher.dispose();
  await admin.dispose();
});

const pagesFor = (caller: Caller) => pagesWith(caller, ids);

type Finding = { url: string; rule: string; impact: string; targets: string[]; help: string };

/** axe's findings on the page as it is now. */
async function scan(page: Page): Promise<Finding[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(wcagTags).analyze();
  return violations.map((v) => ({ url: new URL(page.url()).pathname, rule: v.id, impact: v.impact ?? "unknown", targets: v.nodes.map((n) => n.target.join(" ")), help: v.help }));
}

/** Opens each URL, waits for what the page loads after it renders, and returns every finding. */
async function scanPages(page: Page, urls: string[], settle: (url: string) => Promise<void> = async () => {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const url of urls) {
    const response = await page.goto(url);
    expect(response?.status(), url).toBeLessThan(400);
    await page.waitForLoadState("networkidle");
    await settle(url);
    findings.push(...(await scan(page)));
  }
  return findings;
}

function expectNoSerious(findings: Finding[]) {
  for (const f of findings.filter((f) => f.impact !== "serious" && f.impact !== "critical")) {
    test.info().annotations.push({ type: `axe ${f.impact}`, description: `${f.url} ${f.rule}: ${f.help} (${f.targets.join(", ")})` });
  }
  expect(findings.filter((f) => f.impact === "serious" || f.impact === "critical")).toEqual([]);
}

test("the sign-in page and the invite and reset links pass axe", async ({ page }) => {
  const urls = ["/signin", ...pagesFor("anonymous").filter((u) => u !== "/signin")];
  expect(urls).toHaveLength(5);
  expectNoSerious(await scanPages(page, urls));
  // And the sign-in form as it shows a refusal.
  await page.goto("/signin");
  await page.getByLabel("Email").fill("labeler1@pairwise.local");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.locator("form").getByRole("alert")).toBeVisible();
  expectNoSerious(await scan(page));
});

for (const [caller, email, home] of [
  ["labeler", "labeler1@pairwise.local", "/label"],
  ["researcher", "researcher@pairwise.local", "/research"],
  ["admin", "admin@pairwise.local", "/admin"],
] as const) {
  test(`every page a ${caller} can open passes axe`, async ({ page }) => {
    // 3-8 s of axe per page on a busy two-core machine.
    test.setTimeout(300_000);
    await signInAndWait(page, email, home);
    const urls = pagesFor(caller);
    expect(urls).toContain(`/label/${ids.campaignId}`);
    const findings = await scanPages(page, urls, async (url) => {
      // The pages worth checking are the full ones: a pair to judge, a run's charts drawn.
      if (url.startsWith("/label/")) await expect(page.getByRole("region", { name: "Task" })).toBeVisible();
      if (url.startsWith("/research/runs/")) await expect(page.getByRole("figure").first()).toBeVisible();
    });
    // A page this role may not open answers with the 403 page, a record that does not exist and an
    // address that matches no page with the 404 page (one inside the app's layout, one outside it):
    // each must pass too, with one main landmark.
    const fallbacks: [string, number][] = [
      ["/label/00000000-0000-4000-8000-000000000000", 404],
      ["/no-such-page", 404],
    ];
    if (caller !== "admin") fallbacks.unshift(["/admin", 403]);
    for (const [url, status] of fallbacks) {
      expect((await page.goto(url))?.status(), url).toBe(status);
      await expect(page.getByRole("main"), url).toHaveCount(1);
      await expect(page.getByRole("heading", { level: 1 }), url).toHaveText(status === 403 ? "403: not for your role" : "Not found");
      findings.push(...(await scan(page)));
    }
    expectNoSerious(findings);
  });
}
