import { expect, type APIRequest, type APIRequestContext, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "pairwise-demo";

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

export async function signInAndWait(page: Page, email: string, homePath: string): Promise<void> {
  await signIn(page, email);
  await expect(page).toHaveURL(new RegExp(`${homePath}$`));
}

/** Posts credentials straight to next-auth, as a script would; returns the error message, if any. */
export async function credentialSignIn(
  request: APIRequestContext,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<string | null> {
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const res = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email, password, json: "true" },
    headers,
    maxRedirects: 0,
  });
  const location = res.headers()["location"] ?? ((await res.json().catch(() => ({}))) as { url?: string }).url ?? "";
  const error = new URL(location, "http://x").searchParams.get("error");
  return error;
}

/** An API session for an account, signed in through next-auth as a script would. */
export async function apiSession(request: APIRequest, baseURL: string, email: string, password = DEMO_PASSWORD): Promise<APIRequestContext> {
  const ctx = await request.newContext({ baseURL });
  const { csrfToken } = (await (await ctx.get("/api/auth/csrf")).json()) as { csrfToken: string };
  await ctx.post("/api/auth/callback/credentials", { form: { csrfToken, email, password, json: "true" } });
  expect((await ctx.get("/api/v1/me")).status()).toBe(200);
  return ctx;
}
