import { expect, test, type APIRequest, type Page } from "@playwright/test";
import postgres from "postgres";
import { runningEmbeddedUrl } from "@/db/embedded";
import { apiSession, signIn, signInAndWait } from "./helpers";

/** The app's database, read to count stored judgments and written to pause a campaign as a researcher would. */
let sql: ReturnType<typeof postgres>;
test.beforeAll(() => {
  const url = process.env.E2E_DATABASE_URL ?? runningEmbeddedUrl(".data/e2e");
  if (!url) throw new Error("No e2e database: set E2E_DATABASE_URL, or let the e2e app start its embedded one under .data/e2e.");
  sql = postgres(url, { max: 2, onnotice: () => {} });
});
test.afterAll(() => sql?.end());

/** The labeling page's kept choices (sessionStorage) of a campaign, by key. */
function keptChoices(page: Page, campaignId: string): Promise<string[]> {
  return page.evaluate((id) => Object.keys(sessionStorage).filter((key) => key.startsWith(`pairwise:choice:${id}:`)), campaignId);
}

/** How many judgments each judged task of the campaign has stored, by assignment id. */
async function storedJudgments(campaignId: string): Promise<Record<string, number>> {
  const rows = await sql<{ assignment_id: string; n: number }[]>`
    select assignment_id, count(*)::int as n from comparisons where campaign_id = ${campaignId} group by assignment_id`;
  return Object.fromEntries(rows.map((r) => [r.assignment_id, r.n]));
}

/** The ids of the campaign's stored judgments, sorted, as a researcher's votes export lists them. */
async function exportedJudgmentIds(request: APIRequest, baseURL: string, campaignId: string): Promise<string[]> {
  const researcher = await apiSession(request, baseURL, "researcher@pairwise.local");
  try {
    const created = await researcher.post("/api/v1/snapshots", { data: { name: `E2E labeling export ${Date.now()}`, filters: { campaignIds: [campaignId] } } });
    expect(created.status()).toBe(201);
    const { snapshot } = await created.json();
    const exported = await researcher.get(`/api/v1/snapshots/${snapshot.id}/export?format=votes-jsonl`);
    expect(exported.status()).toBe(200);
    return (await exported.text())
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { comparison_id: string }).comparison_id)
      .sort();
  } finally {
    await researcher.dispose();
  }
}

type PairRow = { prompt: string; response_a: string; response_b: string };

/** A fresh active campaign holding `rows`, made through the API as a researcher would. */
async function campaignWithRows(page: Page, rows: PairRow[], settings: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
  await signIn(page, "researcher@pairwise.local");
  await expect(page).toHaveURL(/\/research$/);
  const name = `E2E labeling ${Date.now()}`;
  const created = await page.request.post("/api/v1/campaigns", {
    data: { name, status: "active", guidelines: "## What to judge\n\nPick the **correct** definition.", settings: { goldRate: 0, ...settings } },
  });
  expect(created.status()).toBe(201);
  const { campaign } = await created.json();
  const imported = await page.request.post(`/api/v1/campaigns/${campaign.id}/import`, {
    data: rows.map((row) => JSON.stringify(row)).join("\n"),
    headers: { "content-type": "application/x-ndjson" },
  });
  expect((await imported.json()).pairsCreated).toBe(rows.length);
  await page.context().clearCookies();
  return { id: campaign.id, name };
}

/** A fresh active campaign with `n` pairs. */
function campaignWithPairs(page: Page, n: number, settings: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
  const rows = Array.from({ length: n }, (_, i) => ({ prompt: `Define: word${i}`, response_a: `A thing number ${i}.`, response_b: `Not a thing ${i}.` }));
  return campaignWithRows(page, rows, settings);
}

/** Signs labeler1 in and opens the campaign's labeling page. */
async function startLabeling(page: Page, campaign: { id: string }): Promise<void> {
  await signInAndWait(page, "labeler1@pairwise.local", "/label");
  await page.goto(`/label/${campaign.id}`);
}

async function currentAssignment(page: Page): Promise<string> {
  const task = page.getByRole("region", { name: "Task" });
  await expect(task).toBeVisible();
  return (await task.getAttribute("data-assignment-id"))!;
}

/** Waits until the task on screen is no longer `previous`, and returns the new one. */
async function nextAssignment(page: Page, previous: string): Promise<string> {
  await expect(page.getByRole("region", { name: "Task" })).not.toHaveAttribute("data-assignment-id", previous);
  return currentAssignment(page);
}

/** Judges the pair on screen and the next one with the keyboard; returns both once both are stored. */
async function judgeTwoPairs(page: Page, campaignId: string): Promise<[string, string]> {
  const first = await currentAssignment(page);
  await page.keyboard.press("1");
  await page.keyboard.press("w");
  await page.keyboard.press("Enter");
  const second = await nextAssignment(page, first);
  await page.keyboard.press("2");
  await page.keyboard.press("e");
  await page.keyboard.press("Enter");
  await nextAssignment(page, second);
  await expect.poll(() => storedJudgments(campaignId)).toEqual({ [first]: 1, [second]: 1 });
  return [first, second];
}

test("a labeler judges 5 pairs with the keyboard, undoes one, skips one, and the stats count them", async ({ page }) => {
  const campaign = await campaignWithPairs(page, 8);
  await signInAndWait(page, "labeler2@pairwise.local", "/label");
  await expect(page).toHaveTitle("Label · Pairwise");
  await page.getByRole("region", { name: campaign.name }).getByRole("link", { name: "Start labeling" }).click();
  await expect(page.getByLabel("Keyboard shortcuts")).toContainText("Enter submit");
  // The tab names the campaign, so two campaigns open side by side can be told apart.
  await expect(page).toHaveTitle(`Label ${campaign.name} · Pairwise`);

  const transitions: number[] = [];
  let assignment = await currentAssignment(page);
  for (let i = 0; i < 5; i++) {
    // As after a person's few seconds of reading: the next pair has been prefetched.
    await expect(page.locator("[data-queued='2']")).toBeVisible();
    await page.keyboard.press(i % 2 ? "2" : "1");
    await expect(page.getByRole("radio", { checked: true }).first()).toBeVisible();
    await page.keyboard.press("w");
    await page.keyboard.press("Enter");
    if (i < 4) {
      assignment = await nextAssignment(page, assignment);
      await expect(page.locator("[data-transition-ms]")).toBeVisible();
      transitions.push(Number(await page.locator("[data-transition-ms]").getAttribute("data-transition-ms")));
    }
  }
  // The fifth submission leaves the next pair on screen; let its save land before undoing.
  await expect(page.getByTestId("today-count")).toHaveText("Today: 5");
  const afterFive = await currentAssignment(page);

  await page.keyboard.press("z");
  const undone = await nextAssignment(page, afterFive);
  await expect(page.getByTestId("today-count")).toHaveText("Today: 4");

  await page.keyboard.press("s");
  const skipForm = page.getByRole("form", { name: "Skip this pair" });
  await expect(skipForm).toBeVisible();
  // "Other" takes the cursor to its text box and, left empty, says so instead of doing nothing.
  await page.keyboard.press("4");
  await expect(skipForm.getByLabel("Reason")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(skipForm.getByRole("alert")).toHaveText("Say in a few words why you skip it.");
  await expect(skipForm.getByLabel("Reason")).toBeFocused();
  await skipForm.getByRole("radio", { name: /I can't judge this/ }).focus();
  await page.keyboard.press("2");
  await page.keyboard.press("Enter");
  await nextAssignment(page, undone);

  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Guidelines" })).toContainText("What to judge");
  await page.keyboard.press("Escape");

  transitions.sort((a, b) => a - b);
  console.log(`submit-to-next-pair ms (4 transitions, sorted): ${transitions.join(", ")}; max ${transitions[3]}`);

  await page.goto("/label");
  await expect(page.getByTestId("stat-judgments")).toHaveText("4");
  await expect(page.getByTestId("stat-skipped")).toHaveText("1");
});

test("a researcher sees line-numbered errors for a bad import, then imports a good file", async ({ page, browser }) => {
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  await page.getByRole("link", { name: "New campaign" }).click();
  const name = `E2E import ${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Status").selectOption("active");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();

  const bad = [
    JSON.stringify({ prompt: "Define: kettle", response_a: "A pot for boiling water.", response_b: "A drum." }),
    "{oops",
    JSON.stringify({ prompt: "Define: quilt", response_a: "A padded bed cover." }),
    JSON.stringify({ prompt: "Define: spoon", response_a: "A utensil.", response_b: "A bird.", gold_choice: "a" }),
  ].join("\n");
  await page.getByLabel("File (JSONL or CSV)").setInputFiles({ name: "bad.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(bad) });
  await page.getByRole("button", { name: "Import" }).click();
  const refusal = page.getByRole("alert").filter({ hasText: "Nothing was imported" });
  await expect(refusal).toContainText("3 bad lines");
  await expect(refusal).toContainText("Line 2: Not valid JSON");
  await expect(refusal).toContainText("Line 3:");
  // A key that looks like `gold` would have lost the gold answer: refused, with the key to use.
  await expect(refusal).toContainText("Line 4: Unknown key `gold_choice` (did you mean `gold`?)");
  await expect(page.getByText("0 of 0 pairs complete")).toBeVisible();

  // Every row with the same misspelt key: one message for the file, not a line per row.
  const everyRow = Array.from({ length: 300 }, (_, i) => JSON.stringify({ prompt: `Define: word ${i}`, response_a: "A word.", response_b: "A fish.", gold_choice: "a" })).join("\n");
  await page.getByLabel("File (JSONL or CSV)").setInputFiles({ name: "every-row.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(everyRow) });
  await page.getByRole("button", { name: "Import" }).click();
  const once = page.getByRole("alert").filter({ hasText: "Nothing was imported: 300 bad lines." });
  await expect(once.getByRole("listitem")).toHaveText(["Every row has `gold_choice`: did you mean `gold`? Rename the key in the file (a key this close to one Pairwise reads is refused rather than ignored, so its values are not dropped)."]);

  // No judgment, no bias test: no p-value, which would read 1.000 as if one had been run.
  await expect(page.getByTestId("position-bias")).toHaveText("— n = 0");
  await expect(page.getByTestId("length-bias")).toHaveText("— n = 0");

  const good = [
    JSON.stringify({ prompt: "Define: kettle", response_a: "A pot for boiling water.", response_b: "A drum." }),
    JSON.stringify({ prompt: "Define: quilt", responses: ["A padded bed cover.", "A kind of fish.", "A quilt."], row_id: "q1" }),
  ].join("\n");
  await page.getByLabel("File (JSONL or CSV)").setInputFiles({ name: "good.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(good) });
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status")).toContainText("Imported 2 rows: 4 new pairs, 0 duplicates skipped.");
  // An extra column is imported around, and said so.
  await expect(page.getByRole("note", { name: "Ignored keys" })).toContainText("Not imported: 1 key that Pairwise does not read.`row_id`: 1 row, line 2");
  await expect(page.getByText("0 of 4 pairs complete")).toBeVisible();
  await expect(page.getByRole("note", { name: "Gold answers not kept" })).toHaveCount(0);
  // The kettle pair again, and with its responses swapped: labelers see a pair in a random order, so both are that pair.
  // The swapped row gives a gold answer the stored pair lacks: skipped with the row, and said so.
  const again = [good.split("\n")[0]!, JSON.stringify({ prompt: "Define: kettle", response_a: "A drum.", response_b: "A pot for boiling water.", gold: "b" })].join("\n");
  await page.getByLabel("File (JSONL or CSV)").setInputFiles({ name: "again.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(again) });
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status")).toContainText("Imported 2 rows: 0 new pairs, 2 duplicates skipped.");
  await expect(page.getByRole("note", { name: "Ignored keys" })).toHaveCount(0);
  const notKept = page.getByRole("note", { name: "Gold answers not kept" });
  await expect(notKept.getByRole("paragraph")).toHaveText("1 skipped row repeats a pair with another gold answer; the pair kept keeps its own.");
  await expect(notKept.getByRole("listitem")).toHaveText(["Line 2: gold `b` (`a` in the stored pair's A/B order, which it swaps), where the stored pair has none: the stored pair is kept"]);

  // An admin reading the audit log sees that the import left `row_id` out.
  const admin = await browser.newPage();
  await signInAndWait(admin, "admin@pairwise.local", "/admin");
  const campaignId = page.url().match(/campaigns\/([0-9a-f-]{36})/)![1]!;
  await admin.goto("/admin/audit?action=campaign.imported");
  const logged = admin.getByRole("row").filter({ hasText: `campaign ${campaignId.slice(0, 8)}` });
  await expect(logged).toHaveCount(2);
  // The details as stored (jsonb orders the keys): the first import's, which left `row_id` out of 1 row.
  await expect(logged.last().getByRole("cell").last()).toHaveText(
    '{"rows":2,"ignoredKeys":[{"key":"row_id","rows":1}],"pairsCreated":4,"duplicatesSkipped":0,"goldConflictCount":0}',
  );
  // The second: both rows skipped, the swapped one's gold answer not kept.
  await expect(logged.first().getByRole("cell").last()).toHaveText('{"rows":2,"pairsCreated":0,"duplicatesSkipped":2,"goldConflictCount":1}');
  // And the two files refused before them, with why.
  await admin.goto("/admin/audit?action=campaign.import_refused");
  const refused = admin.getByRole("row").filter({ hasText: `campaign ${campaignId.slice(0, 8)}` });
  await expect(refused).toHaveCount(2);
  await expect(refused.last().getByRole("cell").last()).toContainText('"reason":"bad_lines"');
  await expect(refused.last().getByRole("cell").last()).toContainText('"errorCount":3}');
  await expect(refused.last().getByRole("cell").last()).toContainText('"message":"Not valid JSON');
  await expect(refused.first().getByRole("cell").last()).toContainText('"errorCount":300}');
  await admin.close();
});

test("once a large file is uploaded, the import panel says the server is checking and importing it, not only a full bar", async ({ page }) => {
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  const created = await page.request.post("/api/v1/campaigns", { data: { name: `E2E big import ${Date.now()}`, status: "active" } });
  const { campaign } = await created.json();
  await page.goto(`/research/campaigns/${campaign.id}`);
  // 10,000 rows: the upload ends at once on this machine, and the server's checking and writing takes seconds.
  const rows = Array.from({ length: 10_000 }, (_, i) => JSON.stringify({ prompt: `Define: word ${i}`, response_a: `A word, number ${i}.`, response_b: `Not a word ${i}.` }));
  await page.getByLabel("File (JSONL or CSV)").setInputFiles({ name: "big.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(rows.join("\n")) });
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status")).toHaveText("Uploaded. Checking every line, then writing the pairs: nothing is written if a line is bad.");
  await expect(page.getByRole("button", { name: "Import" })).toBeDisabled();
  await expect(page.getByRole("status")).toHaveText("Imported 10000 rows: 10000 new pairs, 0 duplicates skipped.", { timeout: 60_000 });
});

test("the import panel says what is wrong with an empty file and with a binary one", async ({ page }) => {
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  const [campaign] = (await (await page.request.get("/api/v1/campaigns")).json()).campaigns as { id: string }[];
  await page.goto(`/research/campaigns/${campaign!.id}`);
  const file = page.getByLabel("File (JSONL or CSV)");
  const refusal = page.locator("main").getByRole("alert");

  await page.getByRole("button", { name: "Import" }).click();
  await expect(refusal).toHaveText("Choose a file first.");

  await file.setInputFiles({ name: "empty.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.alloc(0) });
  await page.getByRole("button", { name: "Import" }).click();
  await expect(refusal).toHaveText("The file is empty.");

  // A PNG: its header holds NUL bytes, and its data breaks into many "lines" of invalid UTF-8.
  const png = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), Buffer.from(Array.from({ length: 4000 }, (_, i) => (i % 40 === 0 ? 0x0a : 0x80 + (i % 100))))]);
  await file.setInputFiles({ name: "picture.png", mimeType: "image/png", buffer: png });
  await page.getByRole("button", { name: "Import" }).click();
  await expect(refusal).toHaveCount(1);
  await expect(refusal).toContainText("not UTF-8 text");
  await expect(refusal).not.toContainText("Line ");
});

test("after Ctrl+Enter in the rationale, the next pair starts with an empty rationale and takes shortcuts", async ({ page }) => {
  const campaign = await campaignWithPairs(page, 3, { rationale: "optional" });
  await startLabeling(page, campaign);
  const first = await currentAssignment(page);
  await page.keyboard.press("1");
  await page.keyboard.press("e");
  const rationale = page.getByLabel(/^Rationale/);
  await rationale.fill("Response 1 gives the definition.");
  await rationale.press("Control+Enter");
  await nextAssignment(page, first);

  await expect(rationale).toHaveValue("");
  await expect(rationale).not.toBeFocused();
  await page.keyboard.press("2");
  await expect(page.getByRole("radio", { name: /^Response 2/ })).toBeChecked();
  await expect(rationale).toHaveValue("");
});

test("Enter on a pair whose required rationale is missing puts the cursor in the rationale, where the keys type and Ctrl+Enter submits", async ({ page }) => {
  const campaign = await campaignWithPairs(page, 2, { rationale: "required" });
  await startLabeling(page, campaign);
  const first = await currentAssignment(page);
  await page.keyboard.press("2");
  await page.keyboard.press("w");
  await page.keyboard.press("Enter");

  const rationale = page.getByRole("textbox", { name: /^Rationale/ });
  await expect(page.locator("main").getByRole("alert")).toHaveText("This campaign asks for a rationale.");
  await expect(rationale).toBeFocused();
  await expect(rationale).toHaveAttribute("aria-invalid", "true");
  // Shortcut letters typed there are words, not a new choice or strength.
  await page.keyboard.type("Response 2 is right; 1 q is wrong.");
  await expect(page.getByRole("radio", { name: /^Response 2/ })).toBeChecked();
  await expect(page.getByRole("radio", { name: /^slightly better/ })).toBeChecked();
  await page.keyboard.press("Control+Enter");
  await nextAssignment(page, first);

  // The next pair is on screen before the judgment is stored.
  await expect
    .poll(async () => (await sql<{ strength: number; rationale: string }[]>`select strength, rationale from comparisons where assignment_id = ${first}`)[0])
    .toEqual({ strength: 2, rationale: "Response 2 is right; 1 q is wrong." });
});

test("Ctrl+Enter from the rationale with no strength picked says which keys to press, and those keys then pick, not type", async ({ page }) => {
  const campaign = await campaignWithPairs(page, 2, { rationale: "required" });
  await startLabeling(page, campaign);
  const first = await currentAssignment(page);
  await page.keyboard.press("1");
  const rationale = page.getByRole("textbox", { name: /^Rationale/ });
  await rationale.click();
  await page.keyboard.type("Response 1 defines it.");
  await page.keyboard.press("Control+Enter");
  await expect(page.locator("main").getByRole("alert")).toHaveText("Say how much better (Q / W / E / R).");

  await page.keyboard.press("e");
  await expect(page.getByRole("radio", { name: /^clearly better/ })).toBeChecked();
  await expect(rationale).toHaveValue("Response 1 defines it.");
  await page.keyboard.press("Enter");
  await nextAssignment(page, first);
  await expect
    .poll(async () => (await sql<{ strength: number; rationale: string }[]>`select strength, rationale from comparisons where assignment_id = ${first}`)[0])
    .toEqual({ strength: 3, rationale: "Response 1 defines it." });
});

test("Enter with nothing picked names only the keys that pick on this campaign", async ({ page }) => {
  const campaign = await campaignWithPairs(page, 2, { allowTie: false, allowBothBad: true });
  await startLabeling(page, campaign);
  await currentAssignment(page);
  await page.keyboard.press("Enter");
  // This campaign allows no tie: T does nothing here, so the message must not offer it.
  await expect(page.locator("main").getByRole("alert")).toHaveText("Pick a response first (1 / 2 or B).");
});

test("Enter on a focused control outside the pair works that control and sends no judgment; on the pair's own buttons it submits", async ({ page }) => {
  const campaign = await campaignWithPairs(page, 3);
  await startLabeling(page, campaign);
  const first = await currentAssignment(page);
  await page.keyboard.press("1");
  await page.keyboard.press("q");

  // Guidelines, reached with Tab: Enter opens them, and the pair stays as picked.
  await page.getByRole("button", { name: /^Guidelines/ }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog", { name: "Guidelines" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", first);
  await expect(page.getByRole("radio", { name: /^Response 1/ })).toBeChecked();

  // A response clicked leaves its button focused: Enter there submits what was picked.
  await page.getByRole("radio", { name: /^Response 2/ }).click();
  await page.keyboard.press("w");
  await page.keyboard.press("Enter");
  const second = await nextAssignment(page, first);
  await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1 });

  // The header's Sign out, reached with Tab: Enter signs out, and the pick on screen is not sent.
  await page.keyboard.press("2");
  await page.keyboard.press("e");
  await page.getByRole("button", { name: "Sign out" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/signin/);
  expect(await storedJudgments(campaign.id)).toEqual({ [first]: 1 });
  expect(second).not.toBe(first);
});

test("Enter on the pair's focused Skip or Undo button skips or undoes, and sends no judgment of the pair on screen", async ({ page }) => {
  const campaign = await campaignWithPairs(page, 4);
  await startLabeling(page, campaign);
  const first = await currentAssignment(page);
  await page.keyboard.press("1");
  await page.keyboard.press("q");
  await page.keyboard.press("Enter");
  const second = await nextAssignment(page, first);
  await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1 });

  // A pick on screen, then Tab to Skip: Enter opens the skip reasons; it does not send the pick.
  await page.keyboard.press("2");
  await page.keyboard.press("e");
  await page.getByRole("button", { name: /^Skip/ }).focus();
  await page.keyboard.press("Enter");
  const skipPanel = page.getByRole("form", { name: "Skip this pair" });
  await expect(skipPanel).toBeVisible();
  expect(await storedJudgments(campaign.id)).toEqual({ [first]: 1 });
  await skipPanel.getByRole("button", { name: "Cancel" }).click();
  await expect(skipPanel).toHaveCount(0);

  // Tab to Undo last: Enter takes back the first judgment, and the pick on screen is not sent.
  await page.getByRole("region", { name: "Task" }).getByRole("button", { name: /^Undo last/ }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", first);
  await expect.poll(() => storedJudgments(campaign.id)).toEqual({});
  expect(second).not.toBe(first);
});

test("after a reload, and after signing out and in, Z still takes back the judgments made before it, latest first", async ({ page }) => {
  const campaign = await campaignWithPairs(page, 4);
  await startLabeling(page, campaign);
  const [first, second] = await judgeTwoPairs(page, campaign.id);

  await page.reload();
  await currentAssignment(page);
  await page.keyboard.press("z");
  await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", second);
  await expect(page.locator("main").getByRole("alert")).toHaveCount(0);
  await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1 });

  // Signed out and in again on the same tab, the one before it is still in reach.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await startLabeling(page, campaign);
  await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", second);
  await page.keyboard.press("z");
  await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", first);
  await expect.poll(() => storedJudgments(campaign.id)).toEqual({});
});

test("a kept undo whose judgment was undone and judged again in a duplicated tab is dropped, and the next Z reaches the one before it", async ({ page, context }) => {
  const campaign = await campaignWithPairs(page, 6);
  await startLabeling(page, campaign);
  const [first, second] = await judgeTwoPairs(page, campaign.id);

  // The browser's Duplicate tab copies the tab's sessionStorage, kept undos included.
  const storage = await page.evaluate(() => Object.fromEntries(Object.entries(sessionStorage)));
  const duplicate = await context.newPage();
  await duplicate.addInitScript((entries) => {
    if (sessionStorage.length === 0) for (const [key, value] of Object.entries(entries)) sessionStorage.setItem(key, value);
  }, storage);
  await duplicate.goto(`/label/${campaign.id}`);
  await currentAssignment(duplicate);

  // The first tab takes back the second judgment and judges that pair again: a new judgment.
  await page.bringToFront();
  await page.keyboard.press("z");
  await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", second);
  await page.keyboard.press("1");
  await page.keyboard.press("q");
  await page.keyboard.press("Enter");
  await nextAssignment(page, second);
  await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1, [second]: 1 });

  // The duplicate still holds the second judgment's old id: Z there finds it gone. It must say so
  // and let it go, not answer 'No such judgment of yours.' to every Z with the first out of reach.
  await duplicate.bringToFront();
  await duplicate.keyboard.press("z");
  await expect(duplicate.locator("main").getByRole("alert")).toContainText("already undone");
  await duplicate.keyboard.press("z");
  await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [second]: 1 });
  await expect(duplicate.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", first);
  await duplicate.close();
});

test("labeling faster than the queue refills shows a loading state, and the empty state only when nothing is left", async ({ page }) => {
  const campaign = await campaignWithPairs(page, 4);
  await startLabeling(page, campaign);
  await expect(page.locator("[data-queued='2']")).toBeVisible();
  // Notes every moment the empty state is drawn, however briefly.
  await page.evaluate(() => {
    const seen = window as Window & { emptyStateSeen?: boolean };
    new MutationObserver(() => {
      if (document.body.innerText.includes("No pairs left")) seen.emptyStateSeen = true;
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  const emptyStateSeen = () => page.evaluate(() => (window as Window & { emptyStateSeen?: boolean }).emptyStateSeen ?? false);
  // The queue refills slower than the labeler judges: each lease request takes a second.
  await page.route("**/api/v1/campaigns/*/tasks", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await route.continue();
  });

  let shown = await currentAssignment(page);
  for (let i = 0; i < 4; i++) {
    if (i > 0) shown = await nextAssignment(page, shown);
    expect(await emptyStateSeen()).toBe(false);
    await page.keyboard.press("1");
    await page.keyboard.press("w");
    await page.keyboard.press("Enter");
    if (i === 1) {
      // Both prefetched pairs are judged and the refill is on its way.
      await expect(page.getByRole("status")).toHaveText("Loading the next pair…");
      await expect(page.getByRole("link", { name: "Back to your campaigns" })).toBeHidden();
    }
  }
  await expect(page.getByRole("heading", { name: "No pairs left for you here" })).toBeVisible();
  expect(await emptyStateSeen()).toBe(true);
  // Each pair wants 3 judgments: the bar reads 0%, and the page says why, so the 4 judged are not taken for lost.
  await expect(page.getByRole("progressbar", { name: "Campaign completion" })).toHaveAttribute("aria-valuenow", "0");
  await expect(page.getByText("0 of 4 pairs have all their judgments; the rest are waiting for other labelers.")).toBeVisible();
});

test("a kept judgment whose undo window has passed is not offered after a reload", async ({ page }) => {
  const campaign = await campaignWithPairs(page, 1, { undoMinutes: 1 });
  await startLabeling(page, campaign);
  await currentAssignment(page);
  await page.keyboard.press("1");
  await page.keyboard.press("w");
  await page.keyboard.press("Enter");
  const empty = page.getByRole("heading", { name: "No pairs left for you here" });
  await expect(empty).toBeVisible();
  await expect(page.getByText("Press Z to undo your last judgment.")).toBeVisible();

  // The tab reopened two minutes later: the judgment is past its minute, and the server refuses its undo.
  await page.clock.install({ time: Date.now() + 2 * 60_000 });
  await page.reload();
  await expect(empty).toBeVisible();
  await expect(page.getByText("Press Z to undo your last judgment.")).toHaveCount(0);
  await page.keyboard.press("z");
  await expect(page.locator("main").getByRole("alert")).toHaveText("Nothing to undo.");
});

test("from the empty state, Z and the Undo button bring the last pair back", async ({ page }) => {
  const campaign = await campaignWithPairs(page, 1);
  await startLabeling(page, campaign);
  const task = page.getByRole("region", { name: "Task" });
  const only = await currentAssignment(page);
  const empty = page.getByRole("heading", { name: "No pairs left for you here" });

  await page.keyboard.press("1");
  await page.keyboard.press("w");
  await page.keyboard.press("Enter");
  await expect(empty).toBeVisible();
  await page.keyboard.press("z");
  await expect(task).toHaveAttribute("data-assignment-id", only);

  await page.keyboard.press("2");
  await page.keyboard.press("q");
  await page.keyboard.press("Enter");
  await expect(empty).toBeVisible();
  await page.getByRole("button", { name: /^Undo last/ }).click();
  await expect(task).toHaveAttribute("data-assignment-id", only);
});

test("a very long response scrolls in its own box, and the other response and the controls stay in reach", async ({ page }) => {
  // 40,000 words, just under the import's 200,000 characters per response.
  const long = Array.from({ length: 40_000 }, () => "word").join(" ");
  const campaign = await campaignWithRows(page, [{ prompt: "Define: verbose", response_a: long, response_b: "Short answer." }]);
  await startLabeling(page, campaign);
  await currentAssignment(page);
  const viewport = page.viewportSize()!;

  // The short response sits at the top of its card, not halfway down the long one.
  await expect(page.getByText("Short answer.")).toBeInViewport();
  const submit = page.getByRole("button", { name: /^Submit/ });
  expect((await submit.boundingBox())!.y).toBeLessThan(viewport.height * 2);

  // The long response scrolls inside its box, also from the keyboard.
  const longText = page.getByRole("region", { name: /^Response \d text$/ }).filter({ hasNotText: "Short answer." });
  expect((await longText.boundingBox())!.height).toBeLessThanOrEqual(viewport.height * 0.6 + 1);
  await longText.focus();
  await page.keyboard.press("PageDown");
  await expect.poll(() => longText.evaluate((box) => box.scrollTop)).toBeGreaterThan(0);

  // Clicking a response's text still picks it.
  await page.getByText("Short answer.").click();
  await expect(page.getByRole("radio", { checked: true })).toHaveCount(1);
  await page.keyboard.press("w");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "No pairs left for you here" })).toBeVisible();
});

test("an Arabic prompt and response read right to left, each paragraph in its own script's direction, and code stays left to right", async ({ page }) => {
  const campaign = await campaignWithRows(page, [
    {
      prompt: "ما هو الإنتروبيا؟ اشرح باختصار.",
      response_a: "الإنتروبيا مقياس للفوضى (انظر: الديناميكا الحرارية).\n\nIn English: a measure of disorder.\n\n```\nS = k ln W\n```",
      response_b: "لا أعرف.",
    },
  ]);
  await startLabeling(page, campaign);
  await currentAssignment(page);
  const direction = (text: string) => page.getByText(text, { exact: true }).evaluate((el) => getComputedStyle(el).direction);
  // In a left-to-right box the sentence's closing period and brackets land on the wrong side.
  expect(await direction("ما هو الإنتروبيا؟ اشرح باختصار.")).toBe("rtl");
  expect(await direction("الإنتروبيا مقياس للفوضى (انظر: الديناميكا الحرارية).")).toBe("rtl");
  expect(await direction("لا أعرف.")).toBe("rtl");
  expect(await direction("In English: a measure of disorder.")).toBe("ltr");
  expect(await direction("S = k ln W")).toBe("ltr");
});

test.describe("when the network, the session or the campaign fails a labeler", () => {
  /** Picks the left response, slightly better, and presses Enter. */
  async function judgeLeft(page: Page): Promise<void> {
    await page.keyboard.press("1");
    await page.keyboard.press("w");
    await page.keyboard.press("Enter");
  }

  test("a judgment whose request or answer is lost is sent again by itself: stored once, no error, and undo still reaches it", async ({ page }) => {
    const campaign = await campaignWithPairs(page, 5);
    await startLabeling(page, campaign);
    await expect(page.locator("[data-queued='2']")).toBeVisible();
    // The first judgment never reaches the server; the second is stored, but its answer is lost on the way back.
    let posts = 0;
    await page.route("**/api/v1/judgments", async (route) => {
      posts++;
      if (posts === 1) return route.abort("internetdisconnected");
      if (posts === 3) {
        await route.fetch();
        return route.abort("connectionreset");
      }
      return route.continue();
    });

    const first = await currentAssignment(page);
    await judgeLeft(page);
    const second = await nextAssignment(page, first);
    await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1 });
    await judgeLeft(page);
    const third = await nextAssignment(page, second);
    await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1, [second]: 1 });
    await expect.poll(() => posts).toBe(4);

    // Nothing to tell the labeler, and the pair on screen stayed the one they were reading.
    await expect(page.locator("main").getByRole("alert")).toHaveCount(0);
    await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", third);
    // The resent judgment's answer is the stored one: undo takes it back.
    await page.keyboard.press("z");
    await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", second);
    await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1 });
  });

  test("Enter pressed twice at once sends one judgment and shows no error", async ({ page }) => {
    const campaign = await campaignWithPairs(page, 4);
    await startLabeling(page, campaign);
    await expect(page.locator("[data-queued='2']")).toBeVisible();
    const first = await currentAssignment(page);
    await page.keyboard.press("1");
    await page.keyboard.press("w");
    // Both key presses land before the page draws the next pair.
    await page.evaluate(() => {
      for (let i = 0; i < 2; i++) window.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    });
    await nextAssignment(page, first);
    await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1 });
    await expect(page.locator("main").getByRole("alert")).toHaveCount(0);
  });

  test("offline, judgments wait on the page with a note and are stored once when the connection returns", async ({ page, context }) => {
    const campaign = await campaignWithPairs(page, 5);
    await startLabeling(page, campaign);
    await expect(page.locator("[data-queued='2']")).toBeVisible();
    const first = await currentAssignment(page);

    const offlineNote = page.locator("main").getByRole("status").filter({ hasText: "You are offline" });
    await context.setOffline(true);
    await judgeLeft(page);
    const second = await nextAssignment(page, first);
    await expect(offlineNote).toHaveText("You are offline: 1 answer will be sent when the connection is back. Keep going.");
    await judgeLeft(page);
    // The two pairs the page held are judged: offline no third can load, so neither "Keep going" nor "Loading".
    await expect(offlineNote).toHaveText("You are offline: 2 answers will be sent when the connection is back.");
    await expect(page.locator("main").getByRole("status").filter({ hasText: "next pair" })).toHaveText("The next pair will load when the connection is back.");
    expect(await storedJudgments(campaign.id)).toEqual({});

    await context.setOffline(false);
    await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1, [second]: 1 });
    await expect(offlineNote).toHaveCount(0);
    await nextAssignment(page, second);
    await expect(page.locator("main").getByRole("alert")).toHaveCount(0);
  });

  /** The judgment the server answers the next judgment request with (201). */
  function storedJudgment(page: Page): Promise<{ id: string; assignmentId: string }> {
    return page
      .waitForResponse((r) => r.url().endsWith("/api/v1/judgments") && r.status() === 201)
      .then(async (r) => (await r.json()).judgment);
  }

  /**
   * More page time than the resends of a request take (1 + 2 + 4 + 8 s), on the page's clock,
   * a second at a time, so that each resend can fail before the next one is due.
   */
  async function outlastResends(page: Page): Promise<void> {
    for (let s = 0; s < 20; s++) await page.clock.runFor(1000);
  }

  test("an undo made offline waits with a note past its resends, and removes the right judgment when the connection returns", async ({ page, context, playwright, baseURL }) => {
    const campaign = await campaignWithPairs(page, 5);
    await page.clock.install();
    await startLabeling(page, campaign);
    await expect(page.locator("[data-queued='2']")).toBeVisible();
    const first = await currentAssignment(page);
    let saved = storedJudgment(page);
    await judgeLeft(page);
    const firstJudgment = await saved;
    const second = await nextAssignment(page, first);
    saved = storedJudgment(page);
    await judgeLeft(page);
    await saved;
    const third = await nextAssignment(page, second);

    const offlineNote = page.locator("main").getByRole("status").filter({ hasText: "You are offline" });
    await context.setOffline(true);
    await page.keyboard.press("z");
    await expect(offlineNote).toHaveText("You are offline: your undo will be sent when the connection is back. Keep going.");
    await outlastResends(page);
    // Still waiting, not failed: no error, the note unchanged, the pair on screen the one the labeler is reading.
    await expect(page.locator("main").getByRole("alert")).toHaveCount(0);
    await expect(offlineNote).toHaveText("You are offline: your undo will be sent when the connection is back. Keep going.");
    await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", third);
    expect(await storedJudgments(campaign.id)).toEqual({ [first]: 1, [second]: 1 });

    await context.setOffline(false);
    await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", second);
    await expect(offlineNote).toHaveCount(0);
    await expect(page.locator("main").getByRole("alert")).toHaveCount(0);
    // The last judgment is the one removed.
    expect(await exportedJudgmentIds(playwright.request, baseURL!, campaign.id)).toEqual([firstJudgment.id]);
  });

  test("a judgment made offline and undone before the connection returns is never sent, and its pair is back at once", async ({ page, context }) => {
    const campaign = await campaignWithPairs(page, 5);
    await startLabeling(page, campaign);
    await expect(page.locator("[data-queued='2']")).toBeVisible();
    const first = await currentAssignment(page);
    const saved = storedJudgment(page);
    await judgeLeft(page);
    await saved;
    const second = await nextAssignment(page, first);
    const posted: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith("/api/v1/judgments")) posted.push((r.postDataJSON() as { assignmentId: string }).assignmentId);
    });

    const offlineNote = page.locator("main").getByRole("status").filter({ hasText: "You are offline" });
    await context.setOffline(true);
    await judgeLeft(page);
    await nextAssignment(page, second);
    await expect(offlineNote).toHaveText("You are offline: 1 answer will be sent when the connection is back. Keep going.");
    await page.keyboard.press("z");
    // Taken back on the page, offline: the pair returns as new, and nothing is left to send.
    await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", second);
    await expect(page.getByRole("radio", { checked: true })).toHaveCount(0);
    await expect(offlineNote).toHaveCount(0);

    await context.setOffline(false);
    // Judged again online, with the other response: that is the pair's one judgment.
    await page.keyboard.press("2");
    await page.keyboard.press("w");
    await page.keyboard.press("Enter");
    await nextAssignment(page, second);
    await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1, [second]: 1 });
    expect(posted).toEqual([second]);
    const [stored] = await sql<{ choice: string; shown_order: string }[]>`select choice, shown_order from comparisons where assignment_id = ${second}`;
    expect(stored!.choice).toBe(stored!.shown_order === "ab" ? "b" : "a");
    await expect(page.locator("main").getByRole("alert")).toHaveCount(0);
  });

  test("an undo made offline of a judgment whose answer was lost waits for that judgment to be stored, then removes it", async ({ page, context }) => {
    const campaign = await campaignWithPairs(page, 5);
    await page.clock.install();
    await startLabeling(page, campaign);
    await expect(page.locator("[data-queued='2']")).toBeVisible();
    const first = await currentAssignment(page);
    // The judgment is stored, then the connection drops before its answer comes back.
    await page.route(
      "**/api/v1/judgments",
      async (route) => {
        await route.fetch();
        await context.setOffline(true);
        await route.abort("internetdisconnected");
      },
      { times: 1 },
    );
    await judgeLeft(page);
    const second = await nextAssignment(page, first);
    const offlineNote = page.locator("main").getByRole("status").filter({ hasText: "You are offline" });
    await expect(offlineNote).toHaveText("You are offline: 1 answer will be sent when the connection is back. Keep going.");
    expect(await storedJudgments(campaign.id)).toEqual({ [first]: 1 });

    // The page cannot know whether the judgment was stored: the undo waits for its resend.
    await page.keyboard.press("z");
    await expect(offlineNote).toHaveText("You are offline: 1 answer and your undo will be sent when the connection is back. Keep going.");
    await outlastResends(page);
    await expect(page.locator("main").getByRole("alert")).toHaveCount(0);
    await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", second);

    await context.setOffline(false);
    await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", first);
    await expect.poll(() => storedJudgments(campaign.id)).toEqual({});
    await expect(offlineNote).toHaveCount(0);
    await expect(page.locator("main").getByRole("alert")).toHaveCount(0);
  });

  test("a labeler whose session ends mid-pair is told so once, signs in from the page and comes back to the same pair", async ({ page }) => {
    const campaign = await campaignWithPairs(page, 3);
    await startLabeling(page, campaign);
    await expect(page.locator("[data-queued='2']")).toBeVisible();
    const first = await currentAssignment(page);
    await page.context().clearCookies();
    await judgeLeft(page);

    const alert = page.locator("main").getByRole("alert");
    await expect(alert).toHaveText(/Your session has ended\. Sign in again to go on; you will come back to this campaign\./);
    await expect(alert).toHaveCount(1);
    await expect(page.getByRole("region", { name: "Task" })).toHaveCount(0);
    // Keyboard only: the way forward has the focus, and Enter follows it.
    const signInLink = alert.getByRole("link", { name: "Sign in again" });
    await expect(signInLink).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
    await page.getByLabel("Email").fill("labeler1@pairwise.local");
    await page.getByLabel("Password").fill("pairwise-demo");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/label/${campaign.id}$`));
    // The lease outlived the session: the same pair waits, and judging it works.
    await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", first);
    await judgeLeft(page);
    await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1 });
  });

  test("a judgment on a pair leased before its campaign was paused is refused, said once with the way back (after a reload too), and comes back on resume", async ({ page }) => {
    const campaign = await campaignWithPairs(page, 3);
    await startLabeling(page, campaign);
    await expect(page.locator("[data-queued='2']")).toBeVisible();
    const first = await currentAssignment(page);
    await sql`update campaigns set status = 'paused' where id = ${campaign.id}`;
    try {
      await judgeLeft(page);
      const alert = page.locator("main").getByRole("alert");
      await expect(alert).toContainText("This campaign is paused, not active. It takes no judgments from you now. Your judgment was not saved.");
      await expect(alert).toHaveCount(1);
      await expect(alert.getByRole("link", { name: "Back to your campaigns" })).toBeFocused();
      await expect(page.getByRole("region", { name: "Task" })).toHaveCount(0);
      expect(await storedJudgments(campaign.id)).toEqual({});
      // Reloaded while paused: the same reason and the way back, not "not found".
      await page.reload();
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(campaign.name);
      const closed = page.locator("main").getByRole("alert");
      await expect(closed).toHaveText(/^This campaign is paused, not active\. It takes no judgments from you now\./);
      await expect(closed.getByRole("link", { name: "Back to your campaigns" })).toHaveAttribute("href", "/label");
    } finally {
      await sql`update campaigns set status = 'active' where id = ${campaign.id}`;
    }
    // Resumed while the lease lives: the pair comes back as it was left, and Enter stores it.
    await page.reload();
    await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", first);
    await expect(page.getByRole("radio", { name: /^Response 1/ })).toBeChecked();
    await page.keyboard.press("Enter");
    await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1 });
  });

  test("a choice made before the session ended comes back with its pair after signing in, and Enter stores exactly it", async ({ page }) => {
    const campaign = await campaignWithPairs(page, 3, { rationale: "optional" });
    await startLabeling(page, campaign);
    await expect(page.locator("[data-queued='2']")).toBeVisible();
    const first = await currentAssignment(page);
    await page.keyboard.press("2");
    await page.keyboard.press("e");
    const rationale = page.getByLabel(/^Rationale/);
    await rationale.fill("Response 2 says what it is not.");
    await rationale.press("Escape");
    await page.context().clearCookies();
    await page.keyboard.press("Enter");

    await expect(page.locator("main").getByRole("alert").getByRole("link", { name: "Sign in again" })).toBeFocused();
    await page.keyboard.press("Enter");
    await page.getByLabel("Email").fill("labeler1@pairwise.local");
    await page.getByLabel("Password").fill("pairwise-demo");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/label/${campaign.id}$`));
    await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", first);
    await expect(page.getByRole("radio", { name: /^Response 2/ })).toBeChecked();
    await expect(page.getByRole("radio", { name: /^clearly better/ })).toBeChecked();
    await expect(rationale).toHaveValue("Response 2 says what it is not.");

    await page.keyboard.press("Enter");
    await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1 });
    const [stored] = await sql<{ choice: string; strength: number; rationale: string; shown_order: string }[]>`
      select c.choice, c.strength, c.rationale, c.shown_order from comparisons c where c.assignment_id = ${first}`;
    // "Response 2" is the right side: B when shown A-then-B.
    expect(stored).toEqual({ choice: stored!.shown_order === "ab" ? "b" : "a", strength: 3, rationale: "Response 2 says what it is not.", shown_order: stored!.shown_order });
    // Stored, it is no longer kept in the tab.
    await expect.poll(() => keptChoices(page, campaign.id)).toEqual([]);
  });

  test("a labeler whose account an admin disables mid-pair is told to ask an admin, with no sign-in to loop through", async ({ page, playwright, baseURL }) => {
    const campaign = await campaignWithPairs(page, 3);
    const admin = await apiSession(playwright.request, baseURL!, "admin@pairwise.local");
    const email = `disabled-labeler-${Date.now()}@pairwise.local`;
    const password = "temporary-password-1";
    const created = await admin.post("/api/v1/users", { data: { email, password, role: "labeler" } });
    expect(created.status()).toBe(201);
    const { user } = (await created.json()) as { user: { id: string } };
    try {
      await signIn(page, email, password);
      await expect(page).toHaveURL(/\/label$/);
      await page.goto(`/label/${campaign.id}`);
      await currentAssignment(page);
      await page.keyboard.press("1");
      await page.keyboard.press("w");
      expect((await admin.patch(`/api/v1/users/${user.id}`, { data: { disabled: true } })).status()).toBe(200);
      await page.keyboard.press("Enter");

      const alert = page.locator("main").getByRole("alert");
      await expect(alert).toHaveText("Your account has been disabled. Ask an admin to re-enable it; until then this page takes no judgments from you.");
      await expect(alert).toHaveCount(1);
      await expect(page.getByRole("link", { name: "Sign in again" })).toHaveCount(0);
      await expect(page.getByRole("region", { name: "Task" })).toHaveCount(0);
      expect(await storedJudgments(campaign.id)).toEqual({});
      // Reloaded, the page goes to sign-in, which says why signing in will not help.
      await page.reload();
      await expect(page).toHaveURL(/\/signin\?error=AccountDisabled$/);
      await expect(page.locator("form").getByRole("alert")).toHaveText("This account is disabled. Ask an admin to re-enable it.");
    } finally {
      await admin.dispose();
    }
  });

  test("an undo whose answer is lost is sent again: the judgment is removed once and its pair comes back", async ({ page }) => {
    const campaign = await campaignWithPairs(page, 4);
    await startLabeling(page, campaign);
    await expect(page.locator("[data-queued='2']")).toBeVisible();
    const stored = () => page.waitForResponse((r) => r.url().endsWith("/api/v1/judgments") && r.status() === 201);
    const first = await currentAssignment(page);
    let saved = stored();
    await judgeLeft(page);
    await saved;
    const second = await nextAssignment(page, first);
    saved = stored();
    await judgeLeft(page);
    await saved;
    await nextAssignment(page, second);

    // The first undo is done on the server, but its answer never reaches the page.
    const undos: string[] = [];
    await page.route("**/api/v1/judgments/*", async (route) => {
      if (route.request().method() !== "DELETE") return route.continue();
      undos.push(route.request().url());
      if (undos.length === 1) {
        await route.fetch();
        return route.abort("connectionreset");
      }
      return route.continue();
    });
    await page.keyboard.press("z");
    await expect(page.getByRole("region", { name: "Task" })).toHaveAttribute("data-assignment-id", second);
    expect(undos).toHaveLength(2);
    expect(undos[1]).toBe(undos[0]);
    await expect(page.locator("main").getByRole("alert")).toHaveCount(0);
    // Removed once: the other judgment stays, and the pair's count went down by one, not two.
    expect(await storedJudgments(campaign.id)).toEqual({ [first]: 1 });
    const counts = await sql<{ id: string; n: number }[]>`
      select a.id, p.judgment_count as n from assignments a join pairs p on p.id = a.pair_id where a.id in ${sql([first, second])}`;
    expect(Object.fromEntries(counts.map((c) => [c.id, c.n]))).toEqual({ [first]: 1, [second]: 0 });

    await judgeLeft(page);
    await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1, [second]: 1 });
  });

  test("an undone pair stays first on screen when a refill reaches the server after the undo, and after a reload", async ({ page }) => {
    const campaign = await campaignWithPairs(page, 6);
    await startLabeling(page, campaign);
    await expect(page.locator("[data-queued='2']")).toBeVisible();
    const task = page.getByRole("region", { name: "Task" });
    // The first judgment is stored, but its answer is slow to come back: the refill that follows it
    // reaches the server only after the undo below.
    let answerFirst!: () => void;
    const answerHeld = new Promise<void>((resolve) => (answerFirst = resolve));
    await page.route(
      "**/api/v1/judgments",
      async (route) => {
        const response = await route.fetch();
        await answerHeld;
        await route.fulfill({ response });
      },
      { times: 1 },
    );
    const first = await currentAssignment(page);
    await judgeLeft(page);
    await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1 });
    const second = await nextAssignment(page, first);
    const saved = storedJudgment(page);
    await judgeLeft(page);
    await saved;
    const third = await nextAssignment(page, second);
    await expect(page.locator("[data-queued='2']")).toBeVisible();

    await page.keyboard.press("z");
    await expect(task).toHaveAttribute("data-assignment-id", second);
    await expect(page.locator("[data-queued='3']")).toBeVisible();

    // Another tab of the labeler's asks for pairs after the undo: the undone one is listed first
    // there too. It skips the last, so that the page's refill below changes how many pairs it holds.
    const listed = await page.request.post(`/api/v1/campaigns/${campaign.id}/tasks`, { data: { count: 2 } });
    const held = ((await listed.json()) as { tasks: { assignmentId: string }[] }).tasks.map((t) => t.assignmentId);
    expect(held).toHaveLength(3);
    expect(held.slice(0, 2)).toEqual([second, third]);
    expect((await page.request.post(`/api/v1/assignments/${held[2]}/skip`, { data: { reason: "cant_judge" } })).status()).toBe(204);

    // The first judgment's answer arrives and the page refills: the undone pair stays on screen.
    answerFirst();
    await expect(page.locator("[data-queued='2']")).toBeVisible();
    await expect(task).toHaveAttribute("data-assignment-id", second);
    await page.reload();
    await expect(task).toHaveAttribute("data-assignment-id", second);
    await judgeLeft(page);
    await expect(task).toHaveAttribute("data-assignment-id", third);
    await expect.poll(() => storedJudgments(campaign.id)).toEqual({ [first]: 1, [second]: 1 });
    await expect(page.locator("main").getByRole("alert")).toHaveCount(0);
  });

  test("when the next pair cannot be loaded the page says why and Try again brings it", async ({ page }) => {
    const campaign = await campaignWithPairs(page, 3);
    await signInAndWait(page, "labeler1@pairwise.local", "/label");
    await page.route("**/api/v1/campaigns/*/tasks", (route) =>
      route.fulfill({ status: 503, json: { error: { code: "unavailable:database", message: "The database is not answering; try again in a moment." } } }),
    );
    await page.goto(`/label/${campaign.id}`);
    const alert = page.locator("main").getByRole("alert").filter({ hasText: "The next pair could not be loaded" });
    await expect(alert).toContainText("The database is not answering; try again in a moment.");
    await page.unroute("**/api/v1/campaigns/*/tasks");
    await alert.getByRole("button", { name: "Try again" }).click();
    await currentAssignment(page);
    await expect(alert).toHaveCount(0);
  });
});
