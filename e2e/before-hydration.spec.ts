import { expect, test, type Page } from "@playwright/test";
import { signInAndWait } from "./helpers";

/**
 * On a slow connection a form can be submitted before React takes it over, and the browser sends it itself. A form
 * with neither method nor action went out as a GET to its own page: its fields (a new user's password too) landed in
 * the URL and the history, the page came back empty, and nothing was made. Each test blocks the page's scripts.
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

test("an admin's new user, sent before the script has run, is added and its password stays out of the URL", async ({ page }) => {
  await withoutScripts(page, "admin@pairwise.local", "/admin", "/admin");
  const email = `prehydration-${Date.now()}@pairwise.local`;
  const password = "prehydration-password-1";
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await send(page, "Add user");
  expect(page.url()).not.toContain("prehydration");
  await expect(page.getByText(`Added ${email}.`)).toBeVisible();
  // Sent again, the same address is refused in words rather than lost.
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await send(page, "Add user");
  await expect(page.getByRole("alert")).toContainText(email);
});

test("an invite link and an API token, asked for before the script has run, are shown", async ({ page }) => {
  await withoutScripts(page, "admin@pairwise.local", "/admin", "/admin");
  await page.getByLabel("Email to invite").fill(`invitee-${Date.now()}@pairwise.local`);
  await send(page, "Create invite link");
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByLabel("Invite link")).toHaveValue(/\/invite\/[\w-]+/);

  await page.goto("/settings/tokens");
  await page.getByLabel("Name").fill(`prehydration-${Date.now()}`);
  await send(page, "Create token");
  await expect(page).toHaveURL(/\/settings\/tokens$/);
  await expect(page.getByTestId("new-token")).toHaveText(/^pw_/);
});

test("a snapshot and a campaign, asked for before the script has run, are answered: the refusal shown, the campaign made", async ({ page }) => {
  await withoutScripts(page, "researcher@pairwise.local", "/research", "/research");
  // A campaign of its own, with no judgment, ticked in the form: earlier specs judge pairs in others.
  const created = await page.request.post("/api/v1/campaigns", { data: { name: `Prehydration empty ${Date.now()}`, status: "active" } });
  expect(created.status()).toBe(201);
  const { campaign: empty } = (await created.json()) as { campaign: { id: string } };
  await page.goto(`/research/snapshots?campaign=${empty.id}`);
  await page.getByLabel("Name").fill(`prehydration ${Date.now()}`);
  await send(page, "Create snapshot");
  await expect(page).toHaveURL(/\/research\/snapshots(\?|$)/);
  // The server action ran: no judgment of that campaign matches, and it says so.
  await expect(page.getByRole("alert")).toHaveText("No judgments match these filters.");

  await page.goto("/research/campaigns/new");
  const name = `Prehydration ${Date.now()}`;
  await page.getByLabel("Name", { exact: true }).fill(name);
  await send(page, "Create campaign");
  const link = page.getByRole("status").getByRole("link", { name: "open it" });
  await expect(link).toHaveAttribute("href", /^\/research\/campaigns\/[0-9a-f-]{36}$/);
  const campaignPage = (await link.getAttribute("href"))!;
  await page.goto(campaignPage);
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue(name);
  // Saved again, the campaign's id goes with the form: this one is updated, not another made.
  await page.getByLabel("Name", { exact: true }).fill(`${name} renamed`);
  await send(page, "Save campaign");
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`${campaignPage}$`));
  // And once the script runs, as before.
  await page.unrouteAll();
  await page.goto(campaignPage);
  await page.getByLabel("Name", { exact: true }).fill(`${name} again`);
  await page.getByRole("button", { name: "Save campaign" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
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
