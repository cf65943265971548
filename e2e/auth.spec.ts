import { expect, test } from "@playwright/test";
import { credentialSignIn, DEMO_PASSWORD, signIn, signInAndWait } from "./helpers";

test.describe("sign-in and roles", () => {
  for (const [email, home, heading] of [
    ["admin@pairwise.local", "/admin", "Users"],
    ["researcher@pairwise.local", "/research", "Research"],
    ["labeler1@pairwise.local", "/label", "Campaigns to label"],
  ] as const) {
    test(`${email} signs in and lands on ${home}`, async ({ page }) => {
      // Nothing the pages load is missing (a browser asks for /favicon.ico unless the page names an icon).
      const missing: string[] = [];
      page.on("response", (r) => void (r.status() === 404 && missing.push(r.url())));
      await signInAndWait(page, email, home);
      await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
      await expect(page.getByTestId("role")).toHaveText(email.split("@")[0]!.replace(/\d$/, ""));
      const icon = (await page.locator('link[rel="icon"]').getAttribute("href"))!;
      const served = await page.request.get(icon);
      expect([served.status(), served.headers()["content-type"]]).toEqual([200, "image/svg+xml"]);
      expect(missing).toEqual([]);
    });
  }

  test("a wrong password is refused with a message", async ({ page }) => {
    await signIn(page, "labeler2@pairwise.local", "not-the-password");
    await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");
    await expect(page).toHaveURL(/\/signin/);
  });

  test("a sign-in sent before the page's script has run keeps the password out of the URL", async ({ page }) => {
    // On a slow connection the form can be submitted before React takes it over: the browser then sends it itself.
    await page.route(/\/_next\/static\/.*\.js$/, (route) => route.abort());
    await page.goto("/signin");
    await page.getByLabel("Email").fill("labeler2@pairwise.local");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    const sent = page.waitForEvent("framenavigated");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await sent;
    expect(page.url()).not.toContain(DEMO_PASSWORD);
    await expect(page).toHaveURL(/\/signin$/);
  });

  test("the sign-in page trusts nothing in its URL: no 500 for odd values, no echoed text, no redirect off the site", async ({ page, baseURL }) => {
    for (const query of ["error=100%25", "error=a&error=b", "callbackUrl=/a&callbackUrl=/b"]) {
      expect((await page.goto(`/signin?${query}`))?.status(), query).toBe(200);
    }
    const alert = page.locator("form").getByRole("alert");
    await page.goto("/signin?error=Your%20account%20is%20locked.%20Call%20%2B1%20555%200100");
    await expect(alert).toHaveText("Sign-in did not complete. Try again.");
    await page.goto("/signin?error=AccessDenied");
    await expect(alert).toContainText("An admin must add your email first");
    // A callback naming another site ("//host") is dropped: signing in lands on the home page here.
    await page.goto("/signin?callbackUrl=//example.invalid/phish");
    await page.getByLabel("Email").fill("labeler1@pairwise.local");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(`${baseURL}/label`);
  });

  test("a signed-out visitor is sent to sign-in; the API answers 401", async ({ page, request }) => {
    await page.goto("/admin");
    await expect(page).toHaveURL(/\/signin/);
    const res = await request.get("/api/v1/users");
    expect(res.status()).toBe(401);
    expect((await res.json()).error.code).toBe("unauthorized");
  });

  test("a labeler is refused the admin page (403) and the admin API (403)", async ({ page }) => {
    await signInAndWait(page, "labeler1@pairwise.local", "/label");
    const response = await page.goto("/admin");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: /403/ })).toBeVisible();
    const api = await page.request.get("/api/v1/users");
    expect(api.status()).toBe(403);
    expect((await api.json()).error.code).toBe("forbidden");
  });
});

test.describe("admin manages users", () => {
  test("a disabled user cannot sign in, and their open session stops working", async ({ page, browser }) => {
    const email = `temp-${Date.now()}@pairwise.local`;
    const password = "temporary-password-1";
    await signInAndWait(page, "admin@pairwise.local", "/admin");
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByLabel("Role", { exact: true }).selectOption("researcher");
    await page.getByRole("button", { name: "Add user" }).click();
    await expect(page.getByText(`Added ${email}.`)).toBeVisible();

    // The new user signs in in another browser context and keeps that session open.
    const other = await browser.newContext();
    const theirPage = await other.newPage();
    await signIn(theirPage, email, password);
    await expect(theirPage).toHaveURL(/\/research$/);
    expect((await theirPage.request.get("/api/v1/me")).status()).toBe(200);

    await page.getByRole("button", { name: `Disable ${email}` }).click();
    await page.getByRole("group", { name: `Confirm change to ${email}` }).getByRole("button", { name: "Yes, disable" }).click();
    await expect(page.getByTestId(`user-row-${email}`).getByText("disabled")).toBeVisible();

    expect((await theirPage.request.get("/api/v1/me")).status()).toBe(401);
    await theirPage.goto("/research");
    await expect(theirPage).toHaveURL(/\/signin/);
    await signIn(theirPage, email, password);
    await expect(theirPage.locator("form").getByRole("alert")).toContainText("This account is disabled");

    await page.getByRole("button", { name: `Enable ${email}` }).click();
    await expect(page.getByTestId(`user-row-${email}`).getByText("active")).toBeVisible();
    await other.close();
  });

  test("a role change and a disable ask once more, naming the user: kept, nothing changes; confirmed, it lands", async ({ page }) => {
    const email = `confirm-${Date.now()}@pairwise.local`;
    await signInAndWait(page, "admin@pairwise.local", "/admin");
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill("temporary-password-1");
    await page.getByRole("button", { name: "Add user" }).click();
    await expect(page.getByText(`Added ${email}.`)).toBeVisible();
    const role = page.getByLabel(`Role of ${email}`);
    const row = page.getByTestId(`user-row-${email}`);
    const confirm = page.getByRole("group", { name: `Confirm change to ${email}` });

    // A misclick on the role menu: the question names the user and both roles; "Keep" is focused and undoes it.
    await role.selectOption("admin");
    await expect(confirm).toContainText(`Change ${email} from labeler to admin?`);
    await expect(confirm.getByRole("button", { name: "Keep labeler" })).toBeFocused();
    await confirm.getByRole("button", { name: "Keep labeler" }).click();
    await expect(confirm).toHaveCount(0);
    await expect(role).toHaveValue("labeler");
    // The same for Disable.
    await page.getByRole("button", { name: `Disable ${email}` }).click();
    await expect(confirm).toContainText(`Disable ${email}?`);
    await confirm.getByRole("button", { name: "Keep active" }).click();
    await page.reload();
    await expect(role).toHaveValue("labeler");
    await expect(row.getByText("active")).toBeVisible();

    // Confirmed, each change lands and survives a reload.
    await role.selectOption("researcher");
    await confirm.getByRole("button", { name: "Yes, make them researcher" }).click();
    await expect(confirm).toHaveCount(0);
    await page.getByRole("button", { name: `Disable ${email}` }).click();
    await confirm.getByRole("button", { name: "Yes, disable" }).click();
    await expect(row.getByText("disabled")).toBeVisible();
    await page.reload();
    await expect(role).toHaveValue("researcher");
    await expect(row.getByText("disabled")).toBeVisible();
    const { users } = await (await page.request.get("/api/v1/users")).json();
    expect(users.find((u: { email: string }) => u.email === email)).toMatchObject({ role: "researcher", disabled: true });
  });

  test("a refused new user or invite keeps what was typed; an added user clears the form", async ({ page }) => {
    await signInAndWait(page, "admin@pairwise.local", "/admin");
    const email = page.getByLabel("Email", { exact: true });
    const name = page.getByLabel("Name", { exact: true });
    const role = page.getByLabel("Role", { exact: true });
    const password = page.getByLabel("Password", { exact: true });
    await email.fill("labeler1@pairwise.local");
    await name.fill("Second Labeler");
    await role.selectOption("researcher");
    await password.fill("a-long-password-1");
    await page.getByRole("button", { name: "Add user" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "A user with the email labeler1@pairwise.local already exists." })).toBeVisible();
    await expect(email).toHaveValue("labeler1@pairwise.local");
    await expect(name).toHaveValue("Second Labeler");
    await expect(role).toHaveValue("researcher");
    await expect(password).toHaveValue("a-long-password-1");

    // Corrected, it goes through, and the form is ready for the next user.
    const fresh = `kept-${Date.now()}@pairwise.local`;
    await email.fill(fresh);
    await page.getByRole("button", { name: "Add user" }).click();
    await expect(page.getByText(`Added ${fresh}.`)).toBeVisible();
    await expect(email).toHaveValue("");
    await expect(password).toHaveValue("");

    await page.getByLabel("Email to invite").fill(fresh);
    await page.getByLabel("Invite as").selectOption("admin");
    await page.getByRole("button", { name: "Create invite link" }).click();
    await expect(page.getByRole("alert").filter({ hasText: `A user with the email ${fresh} already exists.` })).toBeVisible();
    await expect(page.getByLabel("Email to invite")).toHaveValue(fresh);
    await expect(page.getByLabel("Invite as")).toHaveValue("admin");
  });

  test("the users API is admin-only and validates its input", async ({ page }) => {
    await signInAndWait(page, "admin@pairwise.local", "/admin");
    const list = await page.request.get("/api/v1/users");
    expect(list.status()).toBe(200);
    expect((await list.json()).users.map((u: { email: string }) => u.email)).toContain("labeler1@pairwise.local");
    const bad = await page.request.post("/api/v1/users", { data: { email: "not-an-email", password: "x" } });
    expect(bad.status()).toBe(400);
    const body = await bad.json();
    expect(body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(["email", "password"]));
  });
});

test.describe("API tokens", () => {
  test("a researcher's token works on the API until revoked, then gets 401", async ({ page, playwright }) => {
    await signInAndWait(page, "researcher@pairwise.local", "/research");
    await page.goto("/settings/tokens");
    // A refused name stays in the field to be shortened.
    const tooLong = "n".repeat(101);
    await page.getByLabel("Name").fill(tooLong);
    await page.getByRole("button", { name: "Create token" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "100" })).toBeVisible();
    await expect(page.getByLabel("Name")).toHaveValue(tooLong);

    const name = `e2e-${Date.now()}`;
    await page.getByLabel("Name").fill(name);
    await page.getByRole("button", { name: "Create token" }).click();
    const token = (await page.getByTestId("new-token").textContent())!.trim();
    expect(token).toMatch(/^pw_/);

    const api = await playwright.request.newContext({ baseURL: page.url().replace(/\/settings.*$/, "") });
    const auth = { authorization: `Bearer ${token}` };
    const me = await api.get("/api/v1/me", { headers: auth });
    expect(me.status()).toBe(200);
    expect((await me.json()).user.email).toBe("researcher@pairwise.local");
    expect((await api.get("/api/v1/users", { headers: auth })).status()).toBe(403);

    await page.getByRole("button", { name: `Revoke ${name}` }).click();
    await expect(page.getByRole("row", { name: new RegExp(name) }).getByText("revoked")).toBeVisible();
    expect((await api.get("/api/v1/me", { headers: auth })).status()).toBe(401);
    await api.dispose();
  });
});

test.describe("sign-in rate limit", () => {
  test("20 rapid wrong passwords are rate-limited and the server keeps serving", async ({ playwright, baseURL }) => {
    const api = await playwright.request.newContext({ baseURL });
    // A documentation-range address, so this test's failures do not count against the others.
    const headers = { "x-forwarded-for": "203.0.113.7" };
    const errors: (string | null)[] = [];
    for (let i = 0; i < 20; i++) errors.push(await credentialSignIn(api, "labeler3@pairwise.local", `wrong-${i}`, headers));
    expect(errors.slice(0, 5).every((e) => e === "CredentialsSignin" || e === "Wrong email or password.")).toBe(true);
    expect(errors.slice(5).every((e) => e?.startsWith("Too many failed sign-ins"))).toBe(true);
    // Even the right password is refused while the account is locked.
    expect(await credentialSignIn(api, "labeler3@pairwise.local", DEMO_PASSWORD, headers)).toMatch(/Too many/);
    expect((await api.get("/api/health")).status()).toBe(200);
    await api.dispose();
  });
});
