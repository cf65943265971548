import { readFile } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { apiSession, DEMO_PASSWORD, signInAndWait } from "./helpers";

type Triple = { prompt: string; chosen: string; rejected: string; margin: number };
const DEMO_CAMPAIGN = "Demo: short definitions";
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

test("an admin downloads TRL JSONL of a demo-data snapshot from /exports; a labeler is refused every research and export door", async ({ page, browser, playwright, baseURL }) => {
  test.setTimeout(120_000);
  const startedAt = new Date(Date.now() - 2_000).toISOString();

  // 1. Two labelers made for this test (the demo ones belong to other specs' counts) judge 5 demo
  //    pairs each through the API, as the labeling page does.
  await signInAndWait(page, "admin@pairwise.local", "/admin");
  const labelers: { id: string; email: string }[] = [];
  for (const n of [1, 2]) {
    const email = `exports-${n}-${Date.now()}@pairwise.local`;
    const res = await page.request.post("/api/v1/users", { data: { email, role: "labeler", password: DEMO_PASSWORD } });
    expect(res.status()).toBe(201);
    labelers.push(((await res.json()) as { user: { id: string; email: string } }).user);
  }
  const { campaigns } = (await (await page.request.get("/api/v1/campaigns")).json()) as { campaigns: { id: string; name: string }[] };
  const demo = campaigns.find((c) => c.name === DEMO_CAMPAIGN)!;
  expect(demo).toBeTruthy();
  const expected: Triple[] = [];
  for (const labeler of labelers) {
    const api = await apiSession(playwright.request, baseURL!, labeler.email);
    for (let i = 0; i < 5; i++) {
      const { tasks } = (await (await api.post(`/api/v1/campaigns/${demo.id}/tasks`, { data: { count: 1 } })).json()) as {
        tasks: { assignmentId: string; prompt: string; left: { text: string }; right: { text: string } }[];
      };
      const [task] = tasks;
      expect(task).toBeTruthy();
      const choice = i % 2 ? "right" : "left";
      const strength = 2 + (i % 2);
      const res = await api.post("/api/v1/judgments", { data: { clientSubmissionId: randomUUID(), assignmentId: task!.assignmentId, choice, strength } });
      expect(res.status()).toBe(201);
      const [chosen, rejected] = choice === "left" ? [task!.left.text, task!.right.text] : [task!.right.text, task!.left.text];
      expected.push({ prompt: task!.prompt, chosen, rejected, margin: strength });
    }
    await api.dispose();
  }

  // 2. The admin freezes exactly those judgments into a snapshot.
  const name = `exports e2e ${Date.now()}`;
  const created = await page.request.post("/api/v1/snapshots", {
    data: { name, filters: { campaignIds: [demo.id], labelerIds: labelers.map((l) => l.id), from: startedAt } },
  });
  expect(created.status()).toBe(201);
  const { snapshot } = (await created.json()) as { snapshot: { id: string; counts: { rows: number } } };
  expect(snapshot.counts.rows).toBe(expected.length);

  // 3. On /exports: the row count the page states, then the TRL download.
  await page.goto("/exports");
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row).toHaveCount(1);
  const pageRows = Number(await row.getByRole("cell").nth(1).textContent());
  expect(pageRows).toBe(expected.length);
  const [download] = await Promise.all([page.waitForEvent("download"), row.getByRole("link", { name: "TRL", exact: true }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.jsonl$/);
  const text = await readFile((await download.path())!, "utf8");
  const lines = text.split("\n").filter(Boolean);
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  // The manifest's address is the one the page's description gives, with the file's query.
  const manifestPath = await page.getByText(/^\/api\/v1\/snapshots\/ID\/export\/manifest$/).textContent();
  const manifest = (await (await page.request.get(`${manifestPath!.replace("ID", snapshot.id)}?format=trl`)).json()).manifest as {
    counts: { rows: number; tiesDropped: number };
  };
  expect(manifest.counts).toEqual({ rows: pageRows, tiesDropped: 0 });
  expect(records).toHaveLength(manifest.counts.rows);
  for (const r of records) {
    expect(Object.keys(r).sort()).toEqual(["chosen", "margin", "prompt", "rejected"]);
    expect(typeof r.prompt === "string" && typeof r.chosen === "string" && typeof r.rejected === "string").toBe(true);
    expect(r.chosen).not.toBe(r.rejected);
  }
  // Exactly the judgments made above: same prompts, same winners, same margins.
  const key = (t: Record<string, unknown>) => JSON.stringify([t.prompt, t.chosen, t.rejected, t.margin]);
  expect(records.map(key).sort()).toEqual(expected.map(key).sort());

  // The download is in the audit log with its whole details (format, counts, ...): wrapped in their column, not cut off.
  await page.goto("/admin/audit?action=export.created");
  const logged = page.getByRole("row").filter({ hasText: `snapshot ${snapshot.id.slice(0, 8)}` });
  await expect(logged).toHaveCount(1);
  const details = logged.getByRole("cell").last();
  await expect(details).toContainText(`"format":"trl"`);
  expect(await details.evaluate((cell) => cell.scrollWidth - cell.clientWidth)).toBe(0);

  // Ids of real objects, so the labeler's 403s below are about role, not a missing row.
  const { runs } = (await (await page.request.get("/api/v1/runs")).json()) as { runs: { id: string }[] };
  expect(runs.length).toBeGreaterThan(0);
  await page.goto("/research/checkpoints");
  const checkpointId = (await page.getByRole("link", { name: "Download" }).first().getAttribute("href"))!.match(uuid)![0];

  // 4. A labeler: the forbidden page on research and export pages, 403 from their APIs.
  const labelerContext = await browser.newContext();
  const labelerPage = await labelerContext.newPage();
  await signInAndWait(labelerPage, "labeler1@pairwise.local", "/label");
  for (const path of ["/research/runs", `/research/runs/${runs[0]!.id}`, "/research/checkpoints", "/exports"]) {
    const response = await labelerPage.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(labelerPage.getByRole("heading", { name: /403/ })).toBeVisible();
  }
  const refused = [
    ["GET", "/api/v1/runs"],
    ["POST", "/api/v1/runs"],
    ["GET", `/api/v1/runs/${runs[0]!.id}`],
    ["GET", `/api/v1/runs/${runs[0]!.id}/metrics`],
    ["GET", "/api/v1/checkpoints"],
    ["GET", `/api/v1/checkpoints/${checkpointId}/download`],
    ["GET", `/api/v1/snapshots/${snapshot.id}/export?format=trl`],
    ["GET", `/api/v1/snapshots/${snapshot.id}/export/manifest?format=trl`],
  ] as const;
  for (const [method, path] of refused) {
    const res = await labelerPage.request.fetch(path, { method, data: method === "POST" ? { kind: "reward" } : undefined });
    expect(res.status(), `${method} ${path}`).toBe(403);
    expect((await res.json()).error.code).toMatch(/^forbidden/);
  }
  await labelerContext.close();
});
