import { expect, test, type Browser } from "@playwright/test";
import { credentialSignIn, signInAndWait } from "./helpers";

/** Opens a one-time link in a fresh browser context: no cookies, as the recipient would. */
async function openAsStranger(browser: Browser, url: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(url);
  return { context, page, status: response?.status() };
}

test("an admin invites a labeler, who accepts in a fresh browser and is signed in; a reset link then sets a new password", async ({ page, browser, playwright, baseURL }) => {
  const email = `invitee-${Date.now()}@pairwise.local`;
  await signInAndWait(page, "admin@pairwise.local", "/admin");
  await page.getByLabel("Email to invite").fill(email);
  await page.getByLabel("Invite as").selectOption("labeler");
  await page.getByRole("button", { name: "Create invite link" }).click();
  const inviteUrl = await page.getByRole("textbox", { name: "Invite link" }).inputValue();
  expect(inviteUrl).toMatch(new RegExp(`^${baseURL}/invite/[A-Za-z0-9_-]{43}$`));
  await expect(page.getByTestId(`pending-link-${email}`)).toContainText("invite");

  // The invitee: name and password, then straight onto their home page, signed in.
  const invitee = await openAsStranger(browser, inviteUrl);
  await expect(invitee.page.getByRole("heading", { name: "Join Pairwise" })).toBeVisible();
  await expect(invitee.page.getByLabel("Email")).toHaveValue(email);
  await invitee.page.getByLabel("Your name").fill("Ivy Invitee");
  await invitee.page.getByLabel("New password").fill("invited-password-1");
  await invitee.page.getByLabel("Repeat the password").fill("invited-password-1");
  await invitee.page.getByRole("button", { name: "Create my account" }).click();
  await expect(invitee.page).toHaveURL(/\/label$/);
  await expect(invitee.page.getByTestId("role")).toHaveText("labeler");
  await invitee.context.close();

  // The link is spent: a second opening says so, with no form.
  const again = await openAsStranger(browser, inviteUrl);
  expect(again.status).toBe(200);
  await expect(again.page.locator("main").getByRole("alert")).toContainText("already been used");
  await expect(again.page.getByRole("button", { name: "Create my account" })).toHaveCount(0);
  await again.context.close();

  // An unknown token gets a clear message, not an error page.
  const unknown = await openAsStranger(browser, `${baseURL}/invite/not-a-real-token`);
  expect(unknown.status).toBe(200);
  await expect(unknown.page.locator("main").getByRole("alert")).toContainText("not valid");
  await unknown.context.close();

  // The admin sees the new user, no pending invite, and the acceptance in the audit log.
  await page.reload();
  await expect(page.getByTestId(`user-row-${email}`)).toContainText("Ivy Invitee");
  await expect(page.getByTestId(`pending-link-${email}`)).toHaveCount(0);

  // A password reset link for the new user.
  await page.getByRole("button", { name: `Reset link for ${email}` }).click();
  const resetUrl = await page.getByRole("textbox", { name: "Password reset link" }).inputValue();
  expect(resetUrl).toMatch(new RegExp(`^${baseURL}/reset-password/[A-Za-z0-9_-]{43}$`));
  const user = await openAsStranger(browser, resetUrl);
  await user.page.getByLabel("New password").fill("reset-password-2");
  await user.page.getByLabel("Repeat the password").fill("reset-password-2");
  await user.page.getByRole("button", { name: "Set new password" }).click();
  await expect(user.page).toHaveURL(/\/label$/);
  await user.context.close();
  const api = await playwright.request.newContext({ baseURL });
  expect(await credentialSignIn(api, email, "invited-password-1")).not.toBeNull();
  expect(await credentialSignIn(api, email, "reset-password-2")).toBeNull();
  await api.dispose();

  // A change to a user names them by email, not by the first digits of an id.
  await page.goto("/admin/audit?action=user.reset_link_created");
  await expect(page.getByRole("row").filter({ hasText: `user ${email}` })).toHaveCount(1);

  // Audit filters live in the URL: they survive a reload.
  await page.goto("/admin/audit");
  await page.getByLabel("Action").selectOption("invite.accepted");
  await page.getByLabel("Actor").fill(email);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=invite.accepted/);
  await page.reload();
  await expect(page.getByLabel("Action")).toHaveValue("invite.accepted");
  await expect(page.getByLabel("Actor")).toHaveValue(email);
  const rows = page.getByRole("row").filter({ hasText: "invite.accepted" });
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText(email);

  // Filters that match nothing say so and what to do, instead of showing a table's bare headings.
  await page.goto(`/admin/audit?actor=nobody-${Date.now()}@pairwise.local`);
  await expect(page.getByTestId("audit-count")).toHaveText("No event matches these filters: widen them, or Clear them to see every event.");
  await expect(page.getByRole("table")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Clear", exact: true })).toHaveAttribute("href", "/admin/audit");
});
