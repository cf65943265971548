import { expect, test } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { apiSession, signInAndWait } from "./helpers";

test("a researcher trains a tiny reward model on labeled data, watches its chart and log fill, and overlays another run", async ({ page, playwright, baseURL }) => {
  test.setTimeout(300_000);
  // 1. A campaign of 12 pairs, labeled by three labelers through the API: the definition wins.
  const researcher = await apiSession(playwright.request, baseURL!, "researcher@pairwise.local");
  const created = await researcher.post("/api/v1/campaigns", { data: { name: `Reward e2e ${Date.now()}`, status: "active", settings: { goldRate: 0, askStrength: false } } });
  const { campaign } = await created.json();
  const words = ["lantern", "harbor", "meadow", "anvil", "glacier", "orchard", "thimble", "compass", "ember", "quill", "loom", "ferry"];
  const rows = words.map((w) => JSON.stringify({ prompt: `Define: ${w}`, response_a: `A kind of ${w} used by people.`, response_b: `Not ${w} at all, nothing.` }));
  const imported = await researcher.post(`/api/v1/campaigns/${campaign.id}/import`, { data: rows.join("\n") });
  expect((await imported.json()).pairsCreated).toBe(12);
  for (const email of ["labeler1@pairwise.local", "labeler2@pairwise.local", "admin@pairwise.local"]) {
    const labeler = await apiSession(playwright.request, baseURL!, email);
    for (;;) {
      const { tasks } = await (await labeler.post(`/api/v1/campaigns/${campaign.id}/tasks`, { data: { count: 1 } })).json();
      if (!tasks.length) break;
      const task = tasks[0];
      const choice = task.left.text.startsWith("A kind") ? "left" : "right";
      const res = await labeler.post("/api/v1/judgments", { data: { clientSubmissionId: randomUUID(), assignmentId: task.assignmentId, choice } });
      expect(res.status()).toBe(201);
    }
    await labeler.dispose();
  }
  const snap = await researcher.post("/api/v1/snapshots", { data: { name: "reward e2e", filters: { campaignIds: [campaign.id] } } });
  expect(snap.status()).toBe(201);
  const { snapshot } = await snap.json();
  expect(snapshot.counts.rows).toBe(36);
  // A short run on the same data, queued first, to compare the browser's run with.
  const shortRun = await researcher.post("/api/v1/runs", {
    data: { kind: "reward", snapshotId: snapshot.id, config: { base: "demo-sft", epochs: 2, batchSize: 4, lr: 3e-4, valFraction: 0.25, patience: 0 } },
  });
  expect(shortRun.status()).toBe(201);
  const { run: other } = await shortRun.json();
  await researcher.dispose();

  // 2. In the browser: start a reward run from the shipped SFT model on that snapshot.
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  await page.goto("/research/runs");
  await expect(page).toHaveTitle("Runs · Pairwise");
  await page.getByLabel("Kind").selectOption("reward");
  await page.getByLabel("Dataset snapshot").selectOption({ label: `reward e2e · 36 rows · ${snapshot.contentHash.slice(0, 8)}` });
  await page.getByLabel("Start from checkpoint").selectOption({ label: "sft · demo-sft" });
  // The form shows every option with its default, and refuses a misspelt key before queueing.
  const help = page.getByTestId("config-help");
  await help.locator("summary").click();
  await expect(help.getByRole("row").filter({ hasText: /^epochs/ })).toContainText("passes over the training pairs");
  await page.getByLabel(/^Config/).fill(JSON.stringify({ epoch: 12 }));
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.getByRole("alert").filter({ hasText: 'unknown option "epoch"' })).toBeVisible();
  // A refused start keeps every choice, to be corrected rather than made again.
  await expect(page.getByLabel("Dataset snapshot").locator("option:checked")).toHaveText(`reward e2e · 36 rows · ${snapshot.contentHash.slice(0, 8)}`);
  await expect(page.getByLabel("Start from checkpoint").locator("option:checked")).toHaveText("sft · demo-sft");
  await expect(page.getByLabel(/^Config/)).toHaveValue(JSON.stringify({ epoch: 12 }));
  await page.getByLabel(/^Config/).fill(JSON.stringify({ epochs: 12, batchSize: 4, lr: 3e-4, valFraction: 0.25, patience: 0 }));
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page).toHaveURL(/\/research\/runs\/[0-9a-f-]{36}$/);
  const runId = page.url().split("/").at(-1)!;
  // The tab names the run as its heading does.
  await expect(page).toHaveTitle(`reward run ${runId.slice(0, 8)} · Pairwise`);

  // 3. The chart gains points while the worker trains, and the run succeeds.
  const points = page.getByTestId("metric-points");
  await expect(points).not.toHaveText("0 points", { timeout: 120_000 });
  const early = Number((await points.textContent())!.split(" ")[0]);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 180_000 });
  await expect.poll(async () => Number((await points.textContent())!.split(" ")[0])).toBeGreaterThan(early);
  const chart = page.getByRole("figure", { name: "Chart of loss/train" });
  await expect(chart).toBeVisible();

  // 4. The worker's log for this run: claim, data, step lines with their loss, the end; text, not markup.
  const log = page.getByRole("log", { name: "Worker log" });
  await expect(log).toContainText(/run claimed by worker [0-9a-f]{8}/);
  await expect(log).toContainText(/pairs: \d+ train, \d+ validation/);
  await expect(log).toContainText(/step \d+\/\d+ loss\/train \d\.\d{4}/);
  await expect(log).toContainText(/saved reward model reward-[0-9a-f]{8}/);
  await expect(log).toContainText("run succeeded");

  // 5. Overlay the short run's curves on this run's charts; the choice survives a reload (it is in the URL).
  await expect(page.getByLabel("Compare with").locator("option", { hasText: `reward ${other.id.slice(0, 8)}` })).toHaveCount(1);
  await page.getByLabel("Compare with").selectOption(other.id);
  await expect(chart.getByText(`this run (reward ${runId.slice(0, 8)})`)).toBeVisible();
  await expect(chart.getByText(`reward ${other.id.slice(0, 8)}`, { exact: true })).toBeVisible();
  await expect(chart.locator("path.recharts-line-curve")).toHaveCount(2);
  await expect(page).toHaveURL(new RegExp(`\\?compare=${other.id}$`));
  await page.reload();
  await expect(page.getByLabel("Compare with")).toHaveValue(other.id);
  await expect(chart.locator("path.recharts-line-curve")).toHaveCount(2);

  // 6. Lineage: the snapshot, the checkpoint it started from, and the one it produced.
  const lineage = page.getByRole("definition").filter({ hasText: "reward e2e" });
  await expect(lineage).toContainText("36 rows");
  await expect(page.getByRole("link", { name: "Download demo-sft" })).toBeVisible();
  const produced = page.getByRole("link", { name: /^Download reward-[0-9a-f]{8}$/ });
  await expect(produced).toBeVisible();
  // A reward model answers no prompts: its lineage does not send one to generate-pairs, which refuses it.
  await expect(page.getByText("Runs started from it: none yet")).toBeVisible();
  await expect(page.getByText(/Pairs from its samples/)).toHaveCount(0);

  // 7. The new reward model scores a pair through the API (a worker runs it).
  const checkpointId = (await produced.getAttribute("href"))!.match(/[0-9a-f-]{36}/)![0];
  const scored = await page.request.post("/api/v1/score", {
    data: { checkpointId, rows: [{ prompt: "Define: kettle", response_a: "A kind of kettle used by people.", response_b: "Not kettle at all, nothing." }] },
  });
  expect(scored.status()).toBe(200);
  const [row] = (await scored.json()).scores;
  expect(Number.isFinite(row.score_a) && Number.isFinite(row.score_b)).toBe(true);
  expect(row.p_a_better).toBeCloseTo(1 / (1 + Math.exp(row.score_b - row.score_a)), 6);

  // 7b. The runs form preselects, per kind, the newest checkpoint of the kind its job starts from (the newest of
  // all is now the reward model) and offers only kinds the job can use; the kinds that other pages start are not listed.
  const rewardKey = `reward-${runId.slice(0, 8)}`;
  await page.goto("/research/runs");
  const start = page.getByLabel("Start from checkpoint");
  await page.getByLabel("Kind").selectOption("reward");
  await expect(start.locator("option:checked")).toHaveText("sft · demo-sft");
  await expect(start.locator("option", { hasText: rewardKey })).toHaveCount(1); // a refit may start from it
  await page.getByLabel("Kind").selectOption("sft");
  await expect(start.locator("option:checked")).toHaveText("base · demo-base");
  await expect(start.locator("option", { hasText: rewardKey })).toHaveCount(0);
  await page.getByLabel("Kind").selectOption("pretrain");
  await expect(start).toBeDisabled();
  await expect(page.getByLabel("Kind").locator("option", { hasText: /^(score|playground)$/ })).toHaveCount(0);
  await expect(page.getByLabel("Kind").locator("option", { hasText: /^ppo$/ })).toHaveCount(1);

  // 7c. The short run planned too few steps to learn from (2 epochs of batches of 4 pairs): its page says
  // so, with the settings to try; the browser's run (12 epochs) raised nothing.
  await page.goto(`/research/runs/${other.id}`);
  await expect(page.getByRole("alert", { name: "Health flags" })).toContainText(/too_few_steps \(before training\): \d+ training pairs make \d+ optimizer steps at batchSize 4 and 2 epochs/);

  // 8. The loop through "next steps": the reward run's page offers PPO against the new reward model, the
  // runs form opens filled in (kind, snapshot, checkpoint, config), and a tiny PPO run starts from it.
  await page.goto(`/research/runs/${runId}`);
  await expect(page.getByRole("alert", { name: "Health flags" })).toHaveCount(0);
  await page.getByRole("link", { name: "Train a policy against it (PPO)" }).click();
  await expect(page).toHaveURL(/\/research\/runs\?kind=ppo&/);
  await expect(page.getByLabel("Kind")).toHaveValue("ppo");
  await expect(page.getByLabel("Dataset snapshot").locator("option:checked")).toHaveText(`reward e2e · 36 rows · ${snapshot.contentHash.slice(0, 8)}`);
  await expect(page.getByLabel("Start from checkpoint").locator("option:checked")).toHaveText("sft · demo-sft");
  expect(JSON.parse(await page.getByLabel(/^Config/).inputValue())).toEqual({ reward: rewardKey });
  // The box grows with its JSON, a row to spare, from 6 rows up to 16: every default filled in is longer than that.
  await page.getByRole("button", { name: "Fill in every default" }).click();
  expect((await page.getByLabel(/^Config/).inputValue()).split("\n").length).toBeGreaterThan(16);
  await expect(page.getByLabel(/^Config/)).toHaveAttribute("rows", "16");
  await page.getByLabel(/^Config/).fill(JSON.stringify({ reward: rewardKey, iterations: 2 }, null, 2));
  await expect(page.getByLabel(/^Config/)).toHaveAttribute("rows", "6");
  await page.getByLabel(/^Config/).fill(JSON.stringify({ reward: rewardKey, iterations: 2, batchSize: 2, miniBatchSize: 2, ppoEpochs: 1, maxNewTokens: 4 }, null, 2));
  await expect(page.getByLabel(/^Config/)).toHaveAttribute("rows", "9");
  const tinyPpo = { iterations: 2, batchSize: 2, miniBatchSize: 2, ppoEpochs: 1, maxNewTokens: 4, sampleEvery: 1, samplesPerLog: 2, saveEvery: 0 };
  await page.getByLabel(/^Config/).fill(JSON.stringify({ reward: rewardKey, ...tinyPpo }));
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page).toHaveURL(/\/research\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 120_000 });
  await expect(page.getByRole("list", { name: "Samples of iteration 2" }).getByRole("listitem")).toHaveCount(2);
  // Its charts number the x axis by whole iterations: 1 and 2, not 1, 1.25, 1.5, 1.75, 2.
  await expect(page.getByRole("figure", { name: "Chart of loss/policy" }).locator(".recharts-xAxis-tick-labels text")).toHaveText(["1", "2"]);
  // and a count's y axis by whole numbers: one epoch each iteration is drawn between 0 and 2, not 0.5 and 1.5 in quarters.
  await expect(page.getByRole("figure", { name: "Chart of ppo/epochs" }).locator(".recharts-yAxis-tick-labels text")).toHaveText(["0", "1", "2"]);
  await expect(page.getByText("Pairs from its samples: none yet (start a generate-pairs run from it)")).toBeVisible();

  // 9. The PPO run's page offers its evaluation against demo-sft, judged by the reward model; the eval run
  // (on three of the held-out headwords, its default prompts; it reads no snapshot, so that field is off)
  // shows its table as a table.
  const ppoRunUrl = page.url();
  const policyName = `ppo-${ppoRunUrl.split("/").at(-1)!.slice(0, 8)}`;
  await page.getByRole("link", { name: "Evaluate it against its SFT model" }).click();
  await expect(page.getByLabel("Kind")).toHaveValue("eval");
  await expect(page.getByLabel("Dataset snapshot")).toBeDisabled();
  await expect(page.getByLabel("Dataset snapshot").locator("option:checked")).toHaveText("none: eval runs read no snapshot");
  await expect(page.getByLabel("Start from checkpoint").locator("option:checked")).toHaveText(`policy · ${policyName}`);
  expect(JSON.parse(await page.getByLabel(/^Config/).inputValue())).toEqual({ baseline: "demo-sft", reward: rewardKey });
  await page.getByLabel(/^Config/).fill(JSON.stringify({ baseline: "demo-sft", reward: rewardKey, text: "none", maxPrompts: 3, samples: 2, bestOfN: ["4"], maxNewTokens: 8 }));
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page).toHaveURL(/\/research\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 120_000 });
  // It counted the responses it sampled: 3 prompts x (2 from A, 2 from B, 4 for best-of-4).
  const evalRunId = page.url().split("/").at(-1)!;
  const evalRun = (await (await page.request.get(`/api/v1/runs/${evalRunId}`)).json()) as { run: { progress: { done: number; total: number } } };
  expect(evalRun.run.progress).toMatchObject({ done: 24, total: 24 });
  const evalTable = page.getByLabel("Evaluation table");
  await expect(evalTable).toContainText(/mean score\s+± se\s+win vs B\s+KL to B/);
  await expect(evalTable).toContainText(new RegExp(`^A ${policyName} +-?\\d+\\.\\d{3}`, "m"));
  await expect(evalTable).toContainText(/^B demo-sft +-?\d+\.\d{3} +\d\.\d{3} +50\.0% +0\.000/m);
  await expect(evalTable).toContainText(/^best-of-4 B +-?\d+\.\d{3}/m);
  await expect(page.getByText('"table":')).toHaveCount(0);
  await expect(page.getByTestId("metric-points")).toHaveCount(0); // an eval writes no metrics: no empty chart card
  await expect(page.getByText('"prompts": 3')).toBeVisible();
  await expect(page.getByText('"promptSource": "the held-out headwords"')).toBeVisible();
  await expect(page.getByRole("heading", { name: "Next steps" })).toHaveCount(0); // none after an eval

  // The PPO run's lineage now lists the eval as a run started from its policy.
  await page.goto(ppoRunUrl);
  await expect(page.getByText(`Runs started from it: eval ${evalRunId.slice(0, 8)} (succeeded)`)).toBeVisible();

  // 10. The dashboard lists the evaluation: A against B, judged by the reward model, on 3 prompts.
  await page.goto("/research/dashboard");
  const evaluation = page.getByRole("table", { name: "Policy evaluations" }).getByRole("row").filter({ hasText: policyName });
  const cells = evaluation.getByRole("cell");
  await expect(cells).toHaveText([policyName, "demo-sft", rewardKey, "3", /^\d+\.\d%$/, /^-?\d+\.\d{3}$/, /^-?\d+\.\d{3}$/, /^(-?\d+%|—)$/, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/]);
});

test("cancelling a run asks once more, and the run stops", async ({ page, playwright, baseURL }) => {
  test.setTimeout(120_000);
  const researcher = await apiSession(playwright.request, baseURL!, "researcher@pairwise.local");
  // Long enough that it is still running when the button is pressed.
  const started = await researcher.post("/api/v1/runs", { data: { kind: "pretrain", config: { steps: 100_000, evalEvery: 0, saveEvery: 0, tokenizerChars: 20_000 } } });
  expect(started.status()).toBe(201);
  const { run } = (await started.json()) as { run: { id: string } };
  await researcher.dispose();

  await signInAndWait(page, "researcher@pairwise.local", "/research");
  await page.goto(`/research/runs/${run.id}`);
  await expect(page.getByTestId("run-status")).toHaveText("running", { timeout: 60_000 });
  // While the page cannot reach the server it says so, and as of when its status is; the note goes once a poll answers.
  const polls = `**/api/v1/runs/${run.id}`;
  await page.route(polls, (route) => route.abort());
  const lost = page.getByRole("alert").filter({ hasText: "cannot reach the server" });
  await expect(lost).toContainText(/what it shows is as of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  await page.unroute(polls);
  await expect(lost).toHaveCount(0);
  await page.getByRole("button", { name: "Cancel run" }).click();
  const confirm = page.getByRole("group", { name: "Confirm cancel" });
  await expect(confirm).toContainText("Stop this pretrain run?");
  await confirm.getByRole("button", { name: "Keep it running" }).click();
  await expect(confirm).toHaveCount(0);
  await expect(page.getByTestId("run-status")).toHaveText("running");
  await page.getByRole("button", { name: "Cancel run" }).click();
  // A confirmed cancel shows at once, not after the next poll (here none answers): no "Cancel run" to press again meanwhile.
  await page.route(polls, (route) => route.abort());
  await confirm.getByRole("button", { name: "Yes, cancel it" }).click();
  await expect(page.getByRole("button", { name: "Cancelling…" })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Cancel run" })).toHaveCount(0);
  await page.unroute(polls);
  await expect(page.getByTestId("run-status")).toHaveText("cancelled", { timeout: 60_000 });

  // A cancelled (or failed) run offers to start it again: the runs form filled in as it was started.
  await page.getByRole("link", { name: "Start it again" }).click();
  await expect(page.getByLabel("Kind")).toHaveValue("pretrain");
  expect(JSON.parse(await page.getByLabel(/^Config/).inputValue())).toEqual({ steps: 100_000, evalEvery: 0, saveEvery: 0, tokenizerChars: 20_000 });
});
