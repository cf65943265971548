import { expect, type APIRequest, type APIRequestContext, type Page } from "@playwright/test";
import { randomUUID } from "node:crypto";

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

/** `n` labelers made by an admin for one spec, with the demo password: the demo labelers belong to other specs' counts. */
export async function newLabelers(admin: APIRequestContext, prefix: string, n: number): Promise<{ id: string; email: string }[]> {
  const made: { id: string; email: string }[] = [];
  for (let i = 1; i <= n; i++) {
    const res = await admin.post("/api/v1/users", { data: { email: `${prefix}-${i}-${Date.now()}@pairwise.local`, role: "labeler", password: DEMO_PASSWORD } });
    expect(res.status()).toBe(201);
    made.push((await res.json()).user);
  }
  return made;
}

/** The tokens of a live invite link (for a new address) and a live password reset link (for `resetUserId`), for the pages they open. */
export async function liveLinkTokens({ admin, prefix, resetUserId }: { admin: APIRequestContext; prefix: string; resetUserId: string }): Promise<{ inviteToken: string; resetToken: string }> {
  const invite = await admin.post("/api/v1/invites", { data: { email: `${prefix}-invitee-${Date.now()}@pairwise.local`, role: "labeler" } });
  expect(invite.status()).toBe(201);
  const reset = await admin.post(`/api/v1/users/${resetUserId}/reset-link`);
  expect(reset.status()).toBe(201);
  const token = async (res: typeof invite) => ((await res.json()).link.path as string).split("/").at(-1)!;
  return { inviteToken: await token(invite), resetToken: await token(reset) };
}

/**
 * A reward run on four pairs that `judges` judge through the API (their campaign is named `name`
 * and a timestamp), cancelled once it has written two validation points, so its charts have lines
 * and it registers no reward model (the playground's "no reward model yet" belongs to another spec).
 */
export async function chartedRun({
  researcher,
  judges,
  request,
  baseURL,
  name,
}: {
  researcher: APIRequestContext;
  judges: { email: string }[];
  request: APIRequest;
  baseURL: string;
  name: string;
}): Promise<string> {
  const created = await researcher.post("/api/v1/campaigns", { data: { name: `${name} ${Date.now()}`, status: "active", settings: { goldRate: 0, askStrength: false } } });
  const { campaign } = await created.json();
  const rows = ["kettle", "anchor", "lichen", "spindle"].map((w) => JSON.stringify({ prompt: `Define: ${w}`, response_a: `A kind of ${w}.`, response_b: `Not ${w}.` }));
  await researcher.post(`/api/v1/campaigns/${campaign.id}/import`, { data: rows.join("\n") });
  for (const { email } of judges) {
    const labeler = await apiSession(request, baseURL, email);
    for (;;) {
      const { tasks } = await (await labeler.post(`/api/v1/campaigns/${campaign.id}/tasks`, { data: { count: 1 } })).json();
      if (!tasks.length) break;
      const choice = tasks[0].left.text.startsWith("A kind") ? "left" : "right";
      await labeler.post("/api/v1/judgments", { data: { clientSubmissionId: randomUUID(), assignmentId: tasks[0].assignmentId, choice } });
    }
    await labeler.dispose();
  }
  const { snapshot } = await (await researcher.post("/api/v1/snapshots", { data: { name, filters: { campaignIds: [campaign.id] } } })).json();
  const started = await researcher.post("/api/v1/runs", {
    data: { kind: "reward", snapshotId: snapshot.id, config: { base: "demo-sft", epochs: 200, batchSize: 4, valFraction: 0.25, patience: 0 } },
  });
  expect(started.status()).toBe(201);
  const { run } = await started.json();
  // Validation metrics come once an epoch: two of them, and the charts have lines as well as points.
  await expect
    .poll(async () => ((await (await researcher.get(`/api/v1/runs/${run.id}/metrics`)).json()).metrics as { name: string }[]).filter((m) => m.name === "loss/val").length, {
      timeout: 180_000,
      intervals: [1000],
    })
    .toBeGreaterThanOrEqual(2);
  expect((await researcher.post(`/api/v1/runs/${run.id}/cancel`)).status()).toBe(200);
  await expect.poll(async () => (await (await researcher.get(`/api/v1/runs/${run.id}`)).json()).run.status, { timeout: 60_000 }).toBe("cancelled");
  return run.id;
}

/** A campaign of `words.length` pairs at overlap 1, every pair judged by labeler1. */
export async function judgedCampaign(request: APIRequest, baseURL: string, name: string, words: string[]): Promise<string> {
  const researcher = await apiSession(request, baseURL, "researcher@pairwise.local");
  const { campaign } = await (await researcher.post("/api/v1/campaigns", { data: { name, status: "active", overlap: 1, settings: { goldRate: 0, askStrength: false } } })).json();
  const rows = words.map((w) => JSON.stringify({ prompt: `Define: ${w}`, response_a: `A ${w}.`, response_b: `Not a ${w}.` }));
  expect((await (await researcher.post(`/api/v1/campaigns/${campaign.id}/import`, { data: rows.join("\n") })).json()).pairsCreated).toBe(words.length);
  await researcher.dispose();
  const labeler = await apiSession(request, baseURL, "labeler1@pairwise.local");
  for (;;) {
    const { tasks } = await (await labeler.post(`/api/v1/campaigns/${campaign.id}/tasks`, { data: { count: 1 } })).json();
    if (!tasks.length) break;
    expect((await labeler.post("/api/v1/judgments", { data: { clientSubmissionId: randomUUID(), assignmentId: tasks[0].assignmentId, choice: "left" } })).status()).toBe(201);
  }
  await labeler.dispose();
  return campaign.id;
}
