import { expect, test, type Page } from "@playwright/test";
import { judgedCampaign, signInAndWait } from "./helpers";

/**
 * On a slow connection a form can be submitted before React takes it over, and the browser sends it itself. A form
 * with neither method nor action went out as a GET to its own page: its fields (a new user's password too) landed in
 * the URL and the history, the page came back empty, and nothing was made. Each test blocks the page's scripts.
 *
 * Posted to its server action instead, a refused form comes back with what was typed (never a password), and a
 * success redirects (303) to a page that shows it: reloading that page asks for it again rather than posting the
 * form a second time, and a result shown once (an invite link, a token) is not shown again.
 * (The sign-in form: auth.spec.ts; the runs form: form-errors.spec.ts.)
 */
async function withoutScripts(page: Page, email: string, home: string, path: string): Promise<void> {
  await signInAndWait(page, email, home);
  await page.route(/\/_next\/static\/.*\.js$/, (route) => route.abort());
  await page.goto(path);
}

/** Clicks a submit button and waits for the page the browser loads with the answer. */
async function send(page: Page, button: string): Promise<void> {
  const answered = page.waitForEvent("framenavigated");
  await page.getByRole("button", { name: button }).click();
  await answered;
}

test("an admin's new user, sent before the script has run, is added once, its password never in the URL or sent back", async ({ page }) => {
  await withoutScripts(page, "admin@pairwise.local", "/admin", "/admin");
  const email = `prehydration-${Date.now()}@pairwise.local`;
  const password = "prehydration-password-1";
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await send(page, "Add user");
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByText(`Added ${email}.`)).toBeVisible();
  // Reloaded, the page is asked for again: nothing is sent, and the message was shown once.
  await page.reload();
  await expect(page.getByText(`Added ${email}.`)).toBeHidden();
  await expect(page.getByRole("alert")).toHaveCount(0);
  const { users } = (await (await page.request.get("/api/v1/users")).json()) as { users: { email: string }[] };
  expect(users.filter((u) => u.email === email)).toHaveLength(1);
  // Sent again, the same address is refused in words, with what was typed kept but the password.
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Name", { exact: true }).fill("Pre Hydration");
  await page.getByLabel("Role", { exact: true }).selectOption("researcher");
  await page.getByLabel("Password", { exact: true }).fill(password);
  await send(page, "Add user");
  await expect(page.getByRole("alert")).toContainText(email);
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(email);
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Pre Hydration");
  await expect(page.getByLabel("Role", { exact: true })).toHaveValue("researcher");
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  expect(await page.content()).not.toContain(password);
});

test("an invite link and an API token, asked for before the script has run, are made once and shown once", async ({ page }) => {
  await withoutScripts(page, "admin@pairwise.local", "/admin", "/admin");
  const invitee = `invitee-${Date.now()}@pairwise.local`;
  await page.getByLabel("Email to invite").fill(invitee);
  await send(page, "Create invite link");
  await expect(page).toHaveURL(/\/admin$/);
  const link = await page.getByLabel("Invite link").inputValue();
  expect(link).toMatch(/\/invite\/[\w-]+$/);
  await page.reload();
  await expect(page.getByLabel("Invite link")).toHaveCount(0);
  await expect(page.getByTestId(`pending-link-${invitee}`)).toHaveCount(1);
  // Refused (the address has an account), the form comes back as it was sent.
  await page.getByLabel("Email to invite").fill("labeler1@pairwise.local");
  await page.getByLabel("Invite as").selectOption("researcher");
  await send(page, "Create invite link");
  await expect(page.getByRole("alert")).toContainText("already exists");
  await expect(page.getByLabel("Email to invite")).toHaveValue("labeler1@pairwise.local");
  await expect(page.getByLabel("Invite as")).toHaveValue("researcher");

  await page.goto("/settings/tokens");
  const name = `prehydration-${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  await send(page, "Create token");
  await expect(page).toHaveURL(/\/settings\/tokens$/);
  await expect(page.getByTestId("new-token")).toHaveText(/^pw_/);
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await expect(page.getByRole("row").filter({ hasText: name })).toHaveCount(1);
  // Refused (a name over 100 characters), the name comes back to be shortened.
  const long = `${name}-${"x".repeat(100)}`;
  await page.getByLabel("Name").fill(long);
  await send(page, "Create token");
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page.getByLabel("Name")).toHaveValue(long);
});

test("a snapshot asked for before the script has run comes back with its filters when refused, and is made once", async ({ page, playwright, baseURL }) => {
  // Campaigns of its own: one with no judgment, for the refusal, and one judged, for the snapshot.
  const stamp = Date.now();
  await judgedCampaign(playwright.request, baseURL!, `Prehydration judged ${stamp}`, ["lantern"]);
  await withoutScripts(page, "researcher@pairwise.local", "/research", "/research");
  const created = await page.request.post("/api/v1/campaigns", { data: { name: `Prehydration empty ${stamp}`, status: "active" } });
  expect(created.status()).toBe(201);
  const { campaign: empty } = (await created.json()) as { campaign: { id: string } };
  await page.goto(`/research/snapshots?campaign=${empty.id}`);
  const name = `prehydration ${stamp}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Rows", { exact: true }).selectOption("majority");
  await page.getByLabel("Drop labelers with gold accuracy below").fill("0.5");
  await page.getByLabel("Keep ties").check();
  await page.getByLabel("Weight rows by labeler reliability").check();
  await send(page, "Create snapshot");
  await expect(page).toHaveURL(/\/research\/snapshots(\?|$)/);
  // The server action ran: no judgment of that campaign matches, and it says so, with every choice as it was.
  await expect(page.getByRole("alert")).toHaveText("No judgments match these filters.");
  await expect(page.getByLabel("Name")).toHaveValue(name);
  await expect(page.getByLabel("Rows", { exact: true })).toHaveValue("majority");
  await expect(page.getByLabel("Drop labelers with gold accuracy below")).toHaveValue("0.5");
  await expect(page.getByLabel("Keep ties")).toBeChecked();
  await expect(page.getByLabel('Keep "both bad" (as ties)')).not.toBeChecked();
  await expect(page.getByLabel("Weight rows by labeler reliability")).toBeChecked();
  const campaigns = page.getByRole("group", { name: "Campaigns" });
  await expect(campaigns.getByRole("checkbox", { checked: true })).toHaveCount(1);
  await expect(campaigns.getByRole("checkbox", { name: `Prehydration empty ${stamp}`, exact: true })).toBeChecked();

  // The judged campaign instead, and every row: made, and the page it lands on says so once.
  await campaigns.getByRole("checkbox", { name: `Prehydration empty ${stamp}`, exact: true }).uncheck();
  await campaigns.getByRole("checkbox", { name: `Prehydration judged ${stamp}`, exact: true }).check();
  await page.getByLabel("Rows", { exact: true }).selectOption("all");
  await page.getByLabel("Drop labelers with gold accuracy below").fill("");
  await send(page, "Create snapshot");
  await expect(page).toHaveURL(/\/research\/snapshots$/);
  await expect(page.getByRole("status")).toContainText("Snapshot of 1 row");
  await page.reload();
  await expect(page.getByRole("status")).toHaveCount(0);
  const { snapshots } = (await (await page.request.get("/api/v1/snapshots")).json()) as { snapshots: { name: string }[] };
  expect(snapshots.filter((s) => s.name === name)).toHaveLength(1);
});

test("a campaign sent before the script has run comes back whole when refused, and is made once", async ({ page }) => {
  await withoutScripts(page, "researcher@pairwise.local", "/research", "/research/campaigns/new");
  const name = `Prehydration ${Date.now()}`;
  const guidelines = "# Pick the kinder answer\n\n- *Both* must be **true**;\n- ties are rare.";
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Status").selectOption("active");
  await page.getByLabel("Judgments per pair").fill("5");
  await page.getByLabel("Guidelines (markdown)").fill(guidelines);
  await page.getByLabel("Allow tie").uncheck();
  await page.getByLabel("Ask strength (4 points)").check();
  await page.getByLabel("Rationale").selectOption("required");
  await page.getByLabel("Ordering").selectOption("spread");
  await page.getByLabel("Gold rate (0–0.5)").fill("0.25");
  await page.getByLabel("Undo window (minutes)").fill("3");
  await page.getByLabel("labeler1@pairwise.local").check();
  // More than a day: the browser lets it through, the server refuses it.
  await page.getByLabel("Lease minutes").fill("5000");
  await send(page, "Create campaign");
  await expect(page.getByRole("alert")).toContainText("Lease minutes");
  await expect(page.getByLabel("Lease minutes")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(name);
  await expect(page.getByLabel("Status")).toHaveValue("active");
  await expect(page.getByLabel("Judgments per pair")).toHaveValue("5");
  await expect(page.getByLabel("Guidelines (markdown)")).toHaveValue(guidelines);
  await expect(page.getByLabel("Allow tie")).not.toBeChecked();
  await expect(page.getByLabel("Allow both bad")).toBeChecked();
  await expect(page.getByLabel("Ask strength (4 points)")).toBeChecked();
  await expect(page.getByLabel("Rationale")).toHaveValue("required");
  await expect(page.getByLabel("Ordering")).toHaveValue("spread");
  await expect(page.getByLabel("Gold rate (0–0.5)")).toHaveValue("0.25");
  await expect(page.getByLabel("Undo window (minutes)")).toHaveValue("3");
  await expect(page.getByLabel("Lease minutes")).toHaveValue("5000");
  await expect(page.getByLabel("labeler1@pairwise.local")).toBeChecked();
  await expect(page.getByLabel("labeler2@pairwise.local")).not.toBeChecked();

  // Corrected, it is made: the browser lands on its page, which says it was saved, once.
  await page.getByLabel("Lease minutes").fill("30");
  await send(page, "Create campaign");
  await expect(page).toHaveURL(/\/research\/campaigns\/[0-9a-f-]{36}$/);
  const campaignPage = new URL(page.url()).pathname;
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page.getByLabel("Guidelines (markdown)")).toHaveValue(guidelines);
  await page.reload();
  await expect(page.getByText("Saved.")).toBeHidden();
  const list = async () => ((await (await page.request.get("/api/v1/campaigns")).json()) as { campaigns: { name: string }[] }).campaigns;
  expect((await list()).filter((c) => c.name === name)).toHaveLength(1);
  // Saved again, the campaign's id goes with the form: this one is updated, not another made.
  await page.getByLabel("Name", { exact: true }).fill(`${name} renamed`);
  await send(page, "Save campaign");
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`${campaignPage}$`));
  await page.reload();
  await expect(page.getByText("Saved.")).toBeHidden();
  expect((await list()).filter((c) => c.name.startsWith(name))).toHaveLength(1);
  // And once the script runs, as before.
  await page.unrouteAll();
  await page.goto(campaignPage);
  await page.getByLabel("Name", { exact: true }).fill(`${name} again`);
  await page.getByRole("button", { name: "Save campaign" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`${campaignPage}$`));
  await page.reload();
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(`${name} again`);
});

test("the forms that send through the API, sent before the script has run, keep their fields out of the URL", async ({ page }) => {
  await withoutScripts(page, "researcher@pairwise.local", "/research", "/research/playground");
  await page.getByLabel("Prompt").fill("Define: prehydration");
  await send(page, "Generate");
  expect(page.url()).not.toContain("prehydration");
  await expect(page).toHaveURL(/\/research\/playground$/);

  await page.goto("/research/checkpoints");
  await page.getByLabel("Name").fill("prehydration-model");
  await send(page, "Import");
  expect(page.url()).not.toContain("prehydration");
});
