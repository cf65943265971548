import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { apiSession, DEMO_PASSWORD, signInAndWait } from "./helpers";
import { concretePath, discoverRoutes, rules, type Caller } from "./route-matrix";

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

type Ids = { campaignId: string; runId: string; inviteToken: string; resetToken: string };
let ids: Ids;

test.beforeAll(async ({ playwright, baseURL }) => {
  test.setTimeout(240_000);
  const researcher = await apiSession(playwright.request, baseURL!, "researcher@pairwise.local");
  const admin = await apiSession(playwright.request, baseURL!, "admin@pairwise.local");
  const judges: { id: string; email: string }[] = [];
  for (const n of [1, 2, 3]) {
    const res = await admin.post("/api/v1/users", { data: { email: `a11y-${n}-${Date.now()}@pairwise.local`, role: "labeler", password: DEMO_PASSWORD } });
    expect(res.status()).toBe(201);
    judges.push((await res.json()).user);
  }
  const { campaigns } = await (await researcher.get("/api/v1/campaigns")).json();
  const demo = (campaigns as { id: string; name: string }[]).find((c) => c.name === "Demo: short definitions")!;
  const runId = await chartedRun(researcher, judges, playwright.request, baseURL!);
  const invite = await admin.post("/api/v1/invites", { data: { email: `a11y-invitee-${Date.now()}@pairwise.local`, role: "labeler" } });
  expect(invite.status()).toBe(201);
  const reset = await admin.post(`/api/v1/users/${judges[0]!.id}/reset-link`);
  expect(reset.status()).toBe(201);
  const token = async (res: typeof invite) => ((await res.json()).link.path as string).split("/").at(-1)!;
  ids = { campaignId: demo.id, runId, inviteToken: await token(invite), resetToken: await token(reset) };
  await researcher.dispose();
  await admin.dispose();
});

/** A reward run on four pairs judged through the API, cancelled once it has written a few steps' metrics. */
async function chartedRun(researcher: APIRequestContext, judges: { email: string }[], request: Parameters<typeof apiSession>[0], baseURL: string): Promise<string> {
  const created = await researcher.post("/api/v1/campaigns", { data: { name: `A11y ${Date.now()}`, status: "active", settings: { goldRate: 0, askStrength: false } } });
  const { campaign } = await created.json();
  const rows = ["kettle", "anchor", "lichen", "spindle"].map((w) => JSON.stringify({ prompt: `Define: ${w}`, response_a: `A kind of ${w}.`, response_b: `Not ${w}.` }));
  await researcher.post(`/api/v1/campaigns/${campaign.id}/import`, { data: rows.join("\n") });
  for (const { email } of judges) {
    const labeler = await apiSession(request, baseURL, email);
    for (;;) {
      const { tasks } = await (await labeler.post(`/api/v1/campaigns/${campaign.id}/tasks`, { data: { count: 1 } })).json();
      if (!tasks.length) break;
      const choice = tasks[0].left.text.startsWith("A kind") ? "left" : "right";
      await labeler.post("/api/v1/judgments", { data: { clientSubmissionId: randomUUID(), assignmentId: tasks[0].assignmentId, choice } });
    }
    await labeler.dispose();
  }
  const { snapshot } = await (await researcher.post("/api/v1/snapshots", { data: { name: "a11y", filters: { campaignIds: [campaign.id] } } })).json();
  const started = await researcher.post("/api/v1/runs", {
    data: { kind: "reward", snapshotId: snapshot.id, config: { base: "demo-sft", epochs: 200, batchSize: 4, valFraction: 0.25, patience: 0 } },
  });
  expect(started.status()).toBe(201);
  const { run } = await started.json();
  // Validation metrics come once an epoch: two of them, and the charts have lines as well as points.
  await expect
    .poll(async () => ((await (await researcher.get(`/api/v1/runs/${run.id}/metrics`)).json()).metrics as { name: string }[]).filter((m) => m.name === "loss/val").length, {
      timeout: 180_000,
      intervals: [1000],
    })
    .toBeGreaterThanOrEqual(2);
  expect((await researcher.post(`/api/v1/runs/${run.id}/cancel`)).status()).toBe(200);
  await expect.poll(async () => (await (await researcher.get(`/api/v1/runs/${run.id}`)).json()).run.status, { timeout: 60_000 }).toBe("cancelled");
  return run.id;
}

/** Every page under app/ that `caller` may open, as a URL; a dynamic page without an id here fails the test. */
function pagesFor(caller: Caller): string[] {
  const idFor: Record<string, string> = {
    "[campaignId]": ids.campaignId,
    "[runId]": ids.runId,
  };
  return discoverRoutes()
    .filter((r) => r.kind === "page")
    .filter((r) => {
      const rule = rules[r.path];
      return rule === "public" ? caller === "anonymous" : Array.isArray(rule) && caller !== "anonymous" && rule.includes(caller);
    })
    .flatMap((r) => {
      if (r.path === "/invite/[token]") return [`/invite/${ids.inviteToken}`, concretePath(r.path, "unknown-token")];
      if (r.path === "/reset-password/[token]") return [`/reset-password/${ids.resetToken}`, concretePath(r.path, "unknown-token")];
      return [r.path.replace(/\[\w+\]/g, (segment) => idFor[segment] ?? `(no id for ${segment})`)];
    });
}

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
    // A page this role may not open answers with the 403 page, which must pass too.
    if (caller !== "admin") {
      const response = await page.goto("/admin");
      expect(response?.status()).toBe(403);
      findings.push(...(await scan(page)));
    }
    expectNoSerious(findings);
  });
}
