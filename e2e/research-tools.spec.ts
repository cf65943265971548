import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { apiSession, judgedCampaign, signInAndWait } from "./helpers";

type Run = { id: string; status: string; error: string | null; outputCheckpointId: string | null; result: Record<string, unknown> | null };

async function runToSucceed(api: APIRequestContext, body: unknown, timeoutMs: number): Promise<Run> {
  const created = await api.post("/api/v1/runs", { data: body });
  expect(created.status()).toBe(201);
  const { run } = (await created.json()) as { run: Run };
  let last = run;
  await expect
    .poll(
      async () => {
        last = ((await (await api.get(`/api/v1/runs/${run.id}`)).json()) as { run: Run }).run;
        return last.status;
      },
      { timeout: timeoutMs, intervals: [1000] },
    )
    .toMatch(/succeeded|failed|cancelled/);
  expect(last.error).toBeNull();
  expect(last.status).toBe("succeeded");
  return last;
}

test("a researcher reads the dashboard, compares two checkpoints in the playground and downloads one as a zip", async ({ page, playwright, baseURL }) => {
  test.setTimeout(300_000);
  await signInAndWait(page, "researcher@pairwise.local", "/research");

  // 0. The trainer card counts the e2e app's one worker (npm start runs one) in the singular.
  await expect(page.getByText(/^1 worker live on the \w+ backend; last heartbeat/)).toBeVisible();

  // 1. Before any PPO run, the dashboard says what will appear there.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await expect(page).toHaveURL(/\/research\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page).toHaveTitle("Dashboard · Pairwise");
  // The header marks the section, not its parent: /research/dashboard is Dashboard, not Research.
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.locator('[aria-current="page"]')).toHaveText("Dashboard");
  await expect(page.getByText("No PPO run has finished yet.")).toBeVisible();
  await expect(page.getByText("No eval run has finished yet.")).toBeVisible();

  // 1b. Before any reward model, the playground still compares two checkpoints, unscored.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Playground" }).click();
  await expect(page.getByText("No reward model yet, so the answers come back unscored.")).toBeVisible();
  await expect(page.getByLabel("Reward model").locator("option:checked")).toHaveText("none: answers only, unscored");
  await page.getByLabel("Max new tokens").fill("8");
  await page.getByRole("button", { name: "Generate" }).click();
  await expect(page.getByTestId("preference")).toContainText("Unscored: no reward model was chosen.", { timeout: 60_000 });
  await expect(page.getByRole("region", { name: "Sample A from demo-sft" })).toBeVisible();
  await expect(page.getByTestId("score-a")).toHaveCount(0);

  // 2. Labels from two labelers and the admin today, a snapshot, a tiny reward run and a tiny PPO run on it.
  const researcher = await apiSession(playwright.request, baseURL!, "researcher@pairwise.local");
  const { campaign } = await (await researcher.post("/api/v1/campaigns", { data: { name: `Tools e2e ${Date.now()}`, status: "active", settings: { goldRate: 0, askStrength: false } } })).json();
  const words = ["lantern", "harbor", "meadow", "anvil", "glacier", "orchard", "thimble", "compass", "ember", "quill", "loom", "ferry"];
  const rows = words.map((w) => JSON.stringify({ prompt: `Define: ${w}`, response_a: `A kind of ${w} used by people.`, response_b: `Not ${w} at all, nothing.` }));
  expect((await (await researcher.post(`/api/v1/campaigns/${campaign.id}/import`, { data: rows.join("\n") })).json()).pairsCreated).toBe(12);
  for (const email of ["labeler1@pairwise.local", "labeler2@pairwise.local", "admin@pairwise.local"]) {
    const labeler = await apiSession(playwright.request, baseURL!, email);
    for (;;) {
      const { tasks } = await (await labeler.post(`/api/v1/campaigns/${campaign.id}/tasks`, { data: { count: 1 } })).json();
      if (!tasks.length) break;
      const choice = tasks[0].left.text.startsWith("A kind") ? "left" : "right";
      expect((await labeler.post("/api/v1/judgments", { data: { clientSubmissionId: randomUUID(), assignmentId: tasks[0].assignmentId, choice } })).status()).toBe(201);
    }
    await labeler.dispose();
  }
  // A second campaign with two judgments, so the campaign filter has something to leave out.
  const { campaign: other } = await (await researcher.post("/api/v1/campaigns", { data: { name: `Tools e2e other ${Date.now()}`, status: "active", settings: { goldRate: 0, askStrength: false } } })).json();
  expect((await (await researcher.post(`/api/v1/campaigns/${other.id}/import`, { data: rows.slice(0, 2).join("\n") })).json()).pairsCreated).toBe(2);
  const labeler1 = await apiSession(playwright.request, baseURL!, "labeler1@pairwise.local");
  for (let i = 0; i < 2; i++) {
    const { tasks } = await (await labeler1.post(`/api/v1/campaigns/${other.id}/tasks`, { data: { count: 1 } })).json();
    expect((await labeler1.post("/api/v1/judgments", { data: { clientSubmissionId: randomUUID(), assignmentId: tasks[0].assignmentId, choice: "left" } })).status()).toBe(201);
  }
  await labeler1.dispose();
  const { snapshot } = await (await researcher.post("/api/v1/snapshots", { data: { name: "tools e2e", filters: { campaignIds: [campaign.id] } } })).json();
  const reward = await runToSucceed(researcher, { kind: "reward", snapshotId: snapshot.id, config: { base: "demo-sft", epochs: 2, batchSize: 4, lr: 3e-4, valFraction: 0.4, patience: 0 } }, 150_000);
  const rewardKey = reward.result!.checkpoint as string;
  const ppoRun = await runToSucceed(
    researcher,
    { kind: "ppo", snapshotId: snapshot.id, config: { sft: "demo-sft", reward: rewardKey, iterations: 2, batchSize: 2, miniBatchSize: 2, ppoEpochs: 1, maxNewTokens: 4, sampleEvery: 1, samplesPerLog: 2, saveEvery: 0 } },
    150_000,
  );
  const { samples } = (await (await researcher.get(`/api/v1/runs/${ppoRun.id}/samples`)).json()) as { samples: Array<{ iteration: number; prompt: string; score: number }> };
  expect(samples.map((s) => s.iteration)).toEqual([1, 1, 2, 2]);
  await researcher.dispose();

  // 2b. The PPO run's page shows the samples it stored, the newest iteration first; another can be picked.
  await page.goto(`/research/runs/${ppoRun.id}`);
  const newest = page.getByRole("list", { name: "Samples of iteration 2" }).getByRole("listitem");
  await expect(newest).toHaveCount(2);
  await expect(newest.first()).toContainText(samples[2]!.prompt);
  await expect(newest.first()).toContainText(`score ${samples[2]!.score.toFixed(3)}`);
  await expect(page.getByText("4 samples from 2 iterations")).toBeVisible();
  await page.getByLabel("Show iteration", { exact: true }).selectOption("1");
  const first = page.getByRole("list", { name: "Samples of iteration 1" }).getByRole("listitem");
  await expect(first).toHaveCount(2);
  await expect(first.nth(1)).toContainText(`score ${samples[1]!.score.toFixed(3)}`);

  // 3. The dashboard charts today's labels, the reward round and the PPO round.
  await page.goto("/research/dashboard");
  const labels = page.getByRole("figure", { name: "Chart of labels per day" });
  await expect(labels).toBeVisible();
  await expect(labels.locator("figcaption")).toHaveText(/labels per day [\d,]+ in 30 days; most on \d{4}-\d{2}-\d{2}/);
  await expect(labels.locator(".recharts-bar-rectangle").first()).toBeVisible();
  await expect(page.getByRole("figure", { name: "Chart of active labelers per day" })).toContainText(/at most \d+ on one day/);
  await expect(page.getByRole("figure", { name: "Chart of validation accuracy by reward round" }).locator(".recharts-line-dot").last()).toBeVisible();
  const round = page.getByRole("table", { name: "Reward rounds" }).getByRole("row").filter({ hasText: rewardKey });
  await expect(round.getByRole("cell").nth(2)).toHaveText(/^(0|1)\.\d{3}$/);
  await expect(page.getByText("No PPO run has finished yet.")).toHaveCount(0);
  const kl = page.getByRole("figure", { name: "Chart of KL by PPO round" });
  await expect(kl).toContainText(/round \d+: -?\d+\.\d{3} nats/);
  await expect(kl.locator(".recharts-line-dot").last()).toBeVisible();
  await expect(page.getByRole("figure", { name: "Chart of reward by PPO round" }).locator(".recharts-line")).toHaveCount(2);

  // 4. Narrowed to the campaign and a week, the URL carries both, and only the campaign's 36 judgments
  // (12 pairs by 3 people), its reward round and its PPO round are counted.
  const labelsCaption = async () => Number((await labels.locator("figcaption").textContent())!.match(/labels per day ([\d,]+) in/)![1]!.replace(/,/g, ""));
  const allLabels = await labelsCaption();
  expect(allLabels).toBeGreaterThanOrEqual(38);
  const show = async (campaignLabel: string, range: string) => {
    await page.getByLabel("Campaign", { exact: true }).selectOption({ label: campaignLabel });
    await page.getByLabel("Range", { exact: true }).selectOption({ label: range });
    await page.getByRole("button", { name: "Show" }).click();
  };
  await show(campaign.name, "Last 7 days");
  await expect(page).toHaveURL(new RegExp(`/research/dashboard\\?campaign=${campaign.id}&days=7$`));
  const today = new Date().toISOString().slice(0, 10);
  const weekAgo = new Date(Date.parse(`${today}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
  await expect(page.getByText(`Judgments on ${campaign.name}'s pairs, the last 7 days, ${weekAgo} to ${today}`)).toBeVisible();
  await expect(labels.locator("figcaption")).toHaveText(`labels per day 36 in 7 days; most on ${today} (36)`);
  await expect(page.getByRole("figure", { name: "Chart of active labelers per day" })).toContainText("at most 3 on one day");
  const rewardRows = page.getByRole("table", { name: "Reward rounds" }).getByRole("row");
  await expect(rewardRows).toHaveCount(2); // the header and the one reward run on this campaign's snapshot
  await expect(rewardRows.nth(1).getByRole("cell").first()).toHaveText("1");
  await expect(rewardRows.nth(1)).toContainText(rewardKey);
  await expect(kl).toContainText(/round 1: -?\d+\.\d{3} nats/);
  // A reload of the shared URL shows the same view.
  await page.reload();
  await expect(page.getByLabel("Campaign", { exact: true })).toHaveValue(campaign.id);
  await expect(page.getByLabel("Range", { exact: true })).toHaveValue("7");
  await expect(labels.locator("figcaption")).toHaveText(`labels per day 36 in 7 days; most on ${today} (36)`);

  // The other campaign: its two judgments, and no reward or PPO run of its own.
  await show(other.name, "Last 90 days");
  await expect(page).toHaveURL(new RegExp(`\\?campaign=${other.id}&days=90$`));
  await expect(labels.locator("figcaption")).toHaveText(`labels per day 2 in 90 days; most on ${today} (2)`);
  await expect(page.getByText(`No reward run on a snapshot of ${other.name} has finished yet.`)).toBeVisible();
  await expect(page.getByText(`No PPO run tied to ${other.name} has finished yet.`)).toBeVisible();

  // Back to every campaign; then an id that names no campaign and a range not offered fall back to every campaign and 30 days.
  await show("All campaigns", "Last 30 days");
  await expect(page).toHaveURL(/\/research\/dashboard\?(campaign=&)?days=30$/);
  await expect(labels.locator("figcaption")).toContainText(" in 30 days;");
  expect(await labelsCaption()).toBe(allLabels);
  await page.goto(`/research/dashboard?campaign=${randomUUID()}&days=365`);
  await expect(page.getByRole("status").filter({ hasText: "No such campaign; showing all campaigns." })).toBeVisible();
  await expect(page.getByLabel("Campaign", { exact: true })).toHaveValue("");
  await expect(page.getByLabel("Range", { exact: true })).toHaveValue("30");
  expect(await labelsCaption()).toBe(allLabels);

  // 5. The playground: SFT against base on one prompt, scored by the new reward model.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Playground" }).click();
  await expect(page).toHaveURL(/\/research\/playground$/);
  await page.getByLabel("Prompt").fill("Define: harbor");
  await page.getByLabel("Checkpoint A").selectOption({ label: "sft · demo-sft" });
  await page.getByLabel("Checkpoint B").selectOption({ label: "base · demo-base" });
  await page.getByLabel("Reward model").selectOption({ label: `reward · ${rewardKey}` });
  await page.getByLabel("Temperature").fill("0.7");
  await page.getByLabel("Max new tokens").fill("16");
  await page.getByLabel("Seed").fill("3");
  await page.getByRole("button", { name: "Generate" }).click();
  const a = page.getByRole("region", { name: "Sample A from demo-sft" });
  const b = page.getByRole("region", { name: "Sample B from demo-base" });
  await expect(a).toBeVisible({ timeout: 60_000 });
  await expect(b).toBeVisible();
  await expect(page.getByTestId("score-a")).toHaveText(/^reward -?\d+\.\d{3}$/);
  await expect(page.getByTestId("score-b")).toHaveText(/^reward -?\d+\.\d{3}$/);
  await expect(page.getByTestId("preference")).toContainText(new RegExp(`${rewardKey} prefers [AB] with probability (0\\.[5-9]|1\\.0)\\d*`));
  await expect(page.getByTestId("preference")).toContainText("temperature 0.7, max new tokens 16, seed 3");
  const [textA, textB, scoreA, firstRun] = [await a.locator("p").first().textContent(), await b.locator("p").first().textContent(), await page.getByTestId("score-a").textContent(), await page.getByTestId("playground-run").textContent()];
  // The same seed gives the same answers and scores, from a new run.
  await page.getByRole("button", { name: "Generate" }).click();
  await expect(page.getByTestId("playground-run")).toHaveText(new RegExp(`^(?!${firstRun}$)[0-9a-f]{8}$`), { timeout: 60_000 });
  await expect(a.locator("p").first()).toHaveText(textA!);
  await expect(b.locator("p").first()).toHaveText(textB!);
  await expect(page.getByTestId("score-a")).toHaveText(scoreA!);
  // Without a reward model: the same answers, unscored.
  await page.getByLabel("Reward model").selectOption({ label: "none: answers only, unscored" });
  await page.getByRole("button", { name: "Generate" }).click();
  await expect(page.getByTestId("preference")).toContainText("Unscored: no reward model was chosen.", { timeout: 60_000 });
  await expect(a.locator("p").first()).toHaveText(textA!);
  await expect(b.locator("p").first()).toHaveText(textB!);
  await expect(page.getByTestId("score-a")).toHaveCount(0);

  // 6. The checkpoints page downloads a zip by default; Python's zipfile tests it clean.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Checkpoints" }).click();
  await expect(page.getByLabel("Loading a checkpoint in Python")).toContainText("AutoModelForSequenceClassification.from_pretrained");
  await expect(page.getByLabel("Loading a checkpoint in Python")).toContainText('"User: Define: harbor\\nAssistant: A sheltered port.<|endoftext|>"'); // Python source: \n escaped
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: `Download ${rewardKey} as zip` }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`${rewardKey}.zip`);
  const file = test.info().outputPath(`${rewardKey}.zip`);
  await download.saveAs(file);
  const listing = execFileSync("python3", ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(sorted(z.namelist()))", file], { encoding: "utf8" });
  expect(listing.trim()).toBe(`['${rewardKey}/config.json', '${rewardKey}/model.safetensors', '${rewardKey}/pairwise.json', '${rewardKey}/tokenizer.json', '${rewardKey}/tokenizer_config.json']`);
  const tar = page.getByRole("link", { name: `Download ${rewardKey} as tar` });
  await expect(tar).toHaveAttribute("href", /\/download\?format=tar$/);
  // The tar is the second choice by its colour alone: its text is the size of "Download"'s.
  const zipFontSize = await page.getByRole("link", { name: `Download ${rewardKey} as zip` }).evaluate((a) => getComputedStyle(a).fontSize);
  await expect(tar).toHaveCSS("font-size", zipFontSize);

  // 7. The unpacked download comes back through "Import a checkpoint": a one-label score head makes it a reward model.
  const suffix = randomUUID().slice(0, 8);
  const unpacked = test.info().outputPath("unpacked");
  execFileSync("python3", ["-m", "zipfile", "-e", file, unpacked]);
  const folderFile = (name: string) => `${unpacked}/${rewardKey}/${name}`;
  await page.getByLabel("or its files").setInputFiles([folderFile("config.json")]);
  await page.getByLabel("Name").fill(`reimported-${suffix}`);
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "A checkpoint needs" })).toContainText("needs model.safetensors and config.json");
  await page.getByLabel("or its files").setInputFiles([]);
  await page.getByLabel("Folder", { exact: true }).setInputFiles(`${unpacked}/${rewardKey}`); // the whole folder
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status")).toContainText(`Imported reimported-${suffix} as a reward checkpoint`);
  const row = page.getByRole("row").filter({ has: page.getByRole("cell", { name: `reimported-${suffix}`, exact: true }) });
  await expect(row.getByRole("cell", { name: "reward", exact: true })).toBeVisible();
  // Its row offers the usual next run: PPO against it, the form filled in (an import has no parent, so the form
  // starts from the newest SFT model, which can be changed).
  await page.getByRole("link", { name: `PPO against it: reimported-${suffix}` }).click();
  await expect(page).toHaveURL(/\/research\/runs\?kind=ppo&/);
  await expect(page.getByLabel("Kind")).toHaveValue("ppo");
  await expect(page.getByLabel("Start from checkpoint").locator("option:checked")).toHaveText("sft · demo-sft");
  expect(JSON.parse(await page.getByLabel(/^Config/).inputValue())).toEqual({ reward: `reimported-${suffix}` });
});

test("a researcher freezes a campaign's judgments from its page: the snapshot form comes with that campaign ticked", async ({ page, playwright, baseURL }) => {
  const name = `Snapshot form e2e ${Date.now()}`;
  const id = await judgedCampaign(playwright.request, baseURL!, name, ["kettle", "saddle", "beacon"]);
  // A newer judged campaign: the form's own default, which the link must override.
  await judgedCampaign(playwright.request, baseURL!, `${name} (newer)`, ["anchor"]);

  await signInAndWait(page, "researcher@pairwise.local", "/research");
  await page.goto(`/research/campaigns/${id}`);
  await page.getByRole("link", { name: "Freeze these judgments as a snapshot" }).click();
  await expect(page).toHaveURL(`/research/snapshots?campaign=${id}`);
  const campaigns = page.getByRole("group", { name: "Campaigns" });
  await expect(campaigns.getByRole("checkbox", { name, exact: true })).toBeChecked();
  await expect(campaigns.getByRole("checkbox", { checked: true })).toHaveCount(1);
  await page.getByLabel("Name").fill(`${name} snapshot`);
  await page.getByRole("button", { name: "Create snapshot" }).click();
  await expect(page.getByRole("status")).toContainText("Snapshot of 3 rows");
  await expect(page.getByRole("row").filter({ hasText: `${name} snapshot` }).getByRole("cell").nth(1)).toHaveText("3");
});

test("two snapshots taken one after the other from the form's proposed name get two names", async ({ page, playwright, baseURL }) => {
  const name = `Snapshot twice e2e ${Date.now()}`;
  const id = await judgedCampaign(playwright.request, baseURL!, name, ["lantern"]);
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  await page.goto(`/research/snapshots?campaign=${id}`);
  const field = page.getByLabel("Name", { exact: true });
  await expect(field).toHaveValue(/^snapshot \d{4}-\d{2}-\d{2}( \(\d+\))?$/);
  const first = await field.inputValue();
  await page.getByRole("button", { name: "Create snapshot" }).click();
  await expect(page.getByRole("status")).toContainText("Snapshot of 1 row");
  // The page, revalidated, proposes the next free name, and the field starts again from it.
  await expect(field).not.toHaveValue(first);
  await expect(field).toHaveValue(/^snapshot \d{4}-\d{2}-\d{2} \(\d+\)$/);
  const second = await field.inputValue();
  await page.getByRole("button", { name: "Create snapshot" }).click();
  await expect(field).not.toHaveValue(second);
  for (const taken of [first, second]) await expect(page.getByRole("row").filter({ has: page.getByRole("cell", { name: taken, exact: true }) })).toHaveCount(1);
});

test("a new campaign's page says it is a draft that labelers do not see, until its status is set to active", async ({ page }) => {
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  await page.goto("/research/campaigns/new");
  await page.getByLabel("Name").fill(`Draft note e2e ${Date.now()}`);
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/research\/campaigns\/[0-9a-f-]{36}$/);
  const note = page.getByRole("note").filter({ hasText: "labelers do not see this campaign" });
  await expect(note).toHaveText("Draft: labelers do not see this campaign. Set its status to active in Settings, below, when its pairs are ready.");

  await page.getByLabel("Status").selectOption("active");
  await page.getByRole("button", { name: "Save campaign" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(note).toHaveCount(0);
});

test("a campaign with a gold rate but no gold pairs says that no answer is checked, until a file with gold answers is imported", async ({ page }) => {
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  const created = await page.request.post("/api/v1/campaigns", { data: { name: `Gold note e2e ${Date.now()}`, status: "active", settings: { goldRate: 0.2 } } });
  expect(created.status()).toBe(201);
  const { campaign } = await created.json();
  const plain = ["kettle", "saddle"].map((w) => JSON.stringify({ prompt: `Define: ${w}`, response_a: `A ${w} is one thing.`, response_b: `A ${w} is another.` })).join("\n");
  expect((await page.request.post(`/api/v1/campaigns/${campaign.id}/import`, { data: plain, headers: { "content-type": "application/x-ndjson" } })).status()).toBe(200);

  await page.goto(`/research/campaigns/${campaign.id}`);
  const note = page.getByRole("note").filter({ hasText: "no gold pairs" });
  await expect(note).toHaveText("The gold rate is 20%, but this campaign has no gold pairs, so no answer is checked: import rows with a gold answer (a, b, tie or both_bad).");

  const gold = ["anchor", "beacon"].map((w) => JSON.stringify({ prompt: `Define: ${w}`, response_a: `An ${w} is one thing.`, response_b: `An ${w} is another.`, gold: "a" })).join("\n");
  expect((await page.request.post(`/api/v1/campaigns/${campaign.id}/import`, { data: gold, headers: { "content-type": "application/x-ndjson" } })).status()).toBe(200);
  await page.reload();
  await expect(page.getByText("(and 2 gold pairs, which check answers and are not counted)", { exact: false })).toBeVisible();
  await expect(note).toHaveCount(0);
});
