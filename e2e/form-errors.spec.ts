import { expect, test } from "@playwright/test";
import { apiSession, signInAndWait } from "./helpers";

/**
 * A field the server refused is marked for assistive technology: `aria-invalid="true"` and an
 * accessible description that is its own message; the fields it did not refuse are not marked.
 */
test("a refused campaign form marks the name and the lease minutes, described by their messages", async ({ page }) => {
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  await page.goto("/research/campaigns/new");
  // Both pass the browser's own checks (required, min) and fail the server's schema.
  await page.getByLabel("Name", { exact: true }).fill("   ");
  await page.getByLabel("Lease minutes").fill("5000");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Give the campaign a name. Lease minutes: must be at most 1440.");

  const name = page.getByLabel("Name", { exact: true });
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(name).toHaveAccessibleDescription("Give the campaign a name.");
  const lease = page.getByLabel("Lease minutes");
  await expect(lease).toHaveAttribute("aria-invalid", "true");
  await expect(lease).toHaveAccessibleDescription("Lease minutes: must be at most 1440.");
  for (const fine of ["Judgments per pair", "Undo window (minutes)", "Guidelines (markdown)"]) {
    await expect(page.getByLabel(fine)).not.toHaveAttribute("aria-invalid");
    await expect(page.getByLabel(fine)).toHaveAccessibleDescription("");
  }

  // Corrected, the campaign is made.
  await name.fill(`Form errors ${Date.now()}`);
  await lease.fill("30");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/research\/campaigns\/[0-9a-f-]{36}$/);
});

test("a refused run config marks the config box, described by the refusal, and a new refusal replaces it", async ({ page }) => {
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  await page.goto("/research/runs");
  await page.getByLabel("Kind").selectOption("reward");
  const config = page.getByLabel(/^Config/);
  await config.fill(JSON.stringify({ epoch: 12 }));
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.locator("form").getByRole("alert")).toContainText('unknown option "epoch"');
  await expect(config).toHaveAttribute("aria-invalid", "true");
  await expect(config).toHaveAccessibleDescription(/unknown option "epoch"/);
  await expect(page.getByLabel("Kind")).not.toHaveAttribute("aria-invalid");

  await config.fill("[1, 2]");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(config).toHaveAccessibleDescription('The config must be a JSON object, e.g. {"epochs": 2}.');
  await expect(config).toHaveAttribute("aria-invalid", "true");

  // Started from the keyboard, a refusal puts the focus on the box it marks: the button, disabled while the
  // form was sent, had dropped it to the page, so the next Tab started again from the header's links.
  await config.fill(JSON.stringify({ epoch: 12 }));
  await page.getByRole("button", { name: "Start run" }).focus();
  await page.keyboard.press("Enter");
  await expect(config).toHaveAccessibleDescription(/unknown option "epoch"/);
  await expect(config).toBeFocused();
});

test("a generate-pairs config whose keys do not go together is refused in the form; its run's page names the campaign", async ({ page, playwright, baseURL }) => {
  const researcher = await apiSession(playwright.request, baseURL!, "researcher@pairwise.local");
  const name = `Loop e2e ${Date.now()}`;
  const { campaign } = await (await researcher.post("/api/v1/campaigns", { data: { name, status: "active", settings: { goldRate: 0 } } })).json();
  const row = JSON.stringify({ prompt: "Define: lantern", response_a: "A lamp with a case.", response_b: "A kind of fish." });
  expect((await (await researcher.post(`/api/v1/campaigns/${campaign.id}/import`, { data: row })).json()).pairsCreated).toBe(1);

  // Active selection without its reward model: refused at once, where the worker used to fail the run seconds later.
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  await page.goto("/research/runs");
  await page.getByLabel("Kind").selectOption("generate-pairs");
  const config = page.getByLabel(/^Config/);
  await config.fill(JSON.stringify({ campaignId: campaign.id, select: "uncertain", maxPairs: 5 }));
  await page.getByRole("button", { name: "Start run" }).click();
  const refusal = 'config.reward: select "uncertain" needs config.reward (a reward checkpoint)';
  await expect(page.locator("form").getByRole("alert")).toHaveText(refusal);
  await expect(config).toHaveAttribute("aria-invalid", "true");
  await expect(config).toHaveAccessibleDescription(refusal);

  // A run that is queued: its page shows the config's campaign by name, linked, with its id beside it.
  const started = await researcher.post("/api/v1/runs", { data: { kind: "generate-pairs", config: { campaignId: campaign.id, checkpoint: "demo-sft", prompts: 1, maxNewTokens: 4 } } });
  expect(started.status()).toBe(201);
  const { run } = (await started.json()) as { run: { id: string } };
  await page.goto(`/research/runs/${run.id}`);
  const shown = page.getByTestId("run-config");
  await expect(shown.getByRole("link", { name })).toHaveAttribute("href", `/research/campaigns/${campaign.id}`);
  await expect(shown).toContainText(`"campaignId": ${name} (${campaign.id}),`);
  await expect(shown).toContainText('"checkpoint": "demo-sft"');
  await researcher.post(`/api/v1/runs/${run.id}/cancel`);
});

test("a run form sent before the page's script has run starts the run, or shows the refusal with every choice kept", async ({ page, playwright, baseURL }) => {
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  // On a slow connection the form can be submitted before React takes it over: the browser then sends it itself,
  // and as a GET it put the config in the URL, reloaded an empty form and started nothing.
  await page.route(/\/_next\/static\/.*\.js$/, (route) => route.abort());
  await page.goto("/research/runs");
  await page.getByLabel("Kind").selectOption("ppo");
  await page.getByLabel("Start from checkpoint").selectOption({ label: "sft · demo-sft" });
  const config = page.getByLabel(/^Config/);
  await config.fill(JSON.stringify({ epoch: 12 }));
  let sent = page.waitForEvent("framenavigated");
  await page.getByRole("button", { name: "Start run" }).click();
  await sent;
  await expect(page).toHaveURL(/\/research\/runs$/);
  await expect(page.locator("form").getByRole("alert")).toContainText('unknown option "epoch"');
  await expect(page.getByLabel("Kind")).toHaveValue("ppo");
  await expect(page.getByLabel("Start from checkpoint").locator("option:checked")).toHaveText("sft · demo-sft");
  await expect(config).toHaveValue(JSON.stringify({ epoch: 12 }));
  await expect(config).toHaveAttribute("aria-invalid", "true");

  // Corrected, it starts, and the browser is sent (303) to the run's page, as the script sends it there.
  await page.getByLabel("Kind").selectOption("sft");
  await page.getByLabel("Dataset snapshot").selectOption("");
  await config.fill(JSON.stringify({ steps: 1, warmupSteps: 0 }));
  sent = page.waitForEvent("framenavigated");
  await page.getByRole("button", { name: "Start run" }).click();
  await sent;
  await expect(page).toHaveURL(/\/research\/runs\/[0-9a-f-]{36}$/);
  const runId = page.url().split("/").at(-1)!;
  // Reloaded, that page is asked for again: the form is not sent a second time, so no second run starts.
  await page.reload();
  await expect(page).toHaveURL(new RegExp(`/research/runs/${runId}$`));
  const researcher = await apiSession(playwright.request, baseURL!, "researcher@pairwise.local");
  const { runs } = (await (await researcher.get("/api/v1/runs")).json()) as { runs: { id: string }[] };
  expect(runs[0]!.id).toBe(runId);
  const { run } = (await (await researcher.get(`/api/v1/runs/${runId}`)).json()) as { run: { kind: string; config: Record<string, unknown> } };
  expect(run.kind).toBe("sft");
  expect(run.config).toEqual({ steps: 1, warmupSteps: 0 });
  await researcher.post(`/api/v1/runs/${runId}/cancel`);
  await researcher.dispose();
});
