import { expect, test } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import postgres from "postgres";
import { ControlledWeb } from "@/scripts/lib/controlled-servers";
import { runningEmbeddedUrl } from "@/db/embedded";
import { childProcessEnv } from "@/lib/env";
import { signInAndWait } from "./helpers";

/**
 * The app's database, reached directly to make a page's query fail, wait or find nothing, for real. Safe
 * beside the other specs: they run one at a time (playwright.config.ts: workers 1, not fully
 * parallel), each change is undone in a `finally`, and the tables touched are read by these
 * pages, not by the trainer worker (the one run row made here is of a kind no worker takes, and
 * is deleted before a worker's sweep for silent runs would reach it).
 */
function appDatabaseUrl(): string {
  const url = process.env.E2E_DATABASE_URL ?? runningEmbeddedUrl(".data/e2e");
  if (!url) throw new Error("No e2e database: set E2E_DATABASE_URL, or let the e2e app start its embedded one under .data/e2e.");
  return url;
}

function appDatabase() {
  return postgres(appDatabaseUrl(), { max: 2, onnotice: () => {} });
}

// Connected once the app is up: files are loaded before the web server starts, and the embedded database with it.
let sql: ReturnType<typeof appDatabase>;
test.beforeAll(() => {
  sql = appDatabase();
});
// A test that times out is abandoned mid-way, its `finally` not yet run: what it set aside is put back here too.
test.afterAll(async () => {
  if (!sql) return;
  await restoreSnapshots();
  await sql.end();
});

/** Where a test sets the snapshots aside, so a page sees none; a table of the same columns stands in. */
const HIDDEN_SNAPSHOTS = "dataset_snapshots_e2e_hidden";

/** Puts the real snapshots back if they are set aside (else does nothing): the stand-in dropped and the real table renamed, at once. */
async function restoreSnapshots() {
  const [row] = await sql<{ hidden: string | null }[]>`select to_regclass(${HIDDEN_SNAPSHOTS})::text as hidden`;
  if (!row?.hidden) return;
  await sql.begin(async (tx) => {
    await tx`drop table if exists dataset_snapshots`;
    await tx.unsafe(`alter table ${HIDDEN_SNAPSHOTS} rename to dataset_snapshots`);
  });
}

test("a page whose query fails shows a safe error with a reference under the navigation, and Try again brings it back", async ({ page }) => {
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  await sql`alter table api_tokens rename to api_tokens_e2e_hidden`;
  try {
    const response = await page.goto("/settings/tokens");
    expect(response?.status()).toBe(500);
    await expect(page.getByRole("heading", { name: "Something went wrong" })).toBeVisible();
    // The layout stayed: the header's navigation, with the page's section still marked.
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link", { name: "Runs" })).toBeVisible();
    await expect(nav.locator('[aria-current="page"]')).toHaveText("API tokens");
    await expect(page.getByRole("heading", { name: "API tokens" })).toHaveCount(0);
    // The reference is Next's digest of the error; the error's own text never reaches the browser.
    await expect(page.getByTestId("error-reference")).toHaveText(/^\d{5,}$/);
    const html = await page.content();
    expect(html).not.toContain("does not exist");
    expect(html).not.toContain("api_tokens");
  } finally {
    await sql`alter table if exists api_tokens_e2e_hidden rename to api_tokens`;
  }
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Your tokens" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Something went wrong" })).toHaveCount(0);
});

test("a page's error is logged once, as one JSON line under the reference the page shows, with its message and stack", async ({ browser, baseURL }) => {
  test.setTimeout(180_000);
  // The e2e app's output goes to Playwright; a second production server, on the same build and
  // database, writes its output to a file the test reads.
  const logDir = test.info().outputPath("web");
  const port = Number(new URL(baseURL!).port) + 1;
  const web = new ControlledWeb({
    port,
    logDir,
    env: childProcessEnv({
      DATABASE_URL: appDatabaseUrl(),
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
      // Its own sessions: the test signs in on it.
      NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
      PAIRWISE_DATA_DIR: ".data/e2e",
      LOG_LEVEL: "warn",
    }),
  });
  await web.start();
  const context = await browser.newContext({ baseURL: web.baseUrl });
  try {
    const page = await context.newPage();
    await signInAndWait(page, "researcher@pairwise.local", "/research");
    await sql`alter table api_tokens rename to api_tokens_e2e_hidden`;
    let reference: string;
    try {
      expect((await page.goto("/settings/tokens"))?.status()).toBe(500);
      reference = (await page.getByTestId("error-reference").textContent())!;
    } finally {
      await sql`alter table if exists api_tokens_e2e_hidden rename to api_tokens`;
    }
    expect(reference).toMatch(/^\d{5,}$/);
    // Lines naming the digest: a JSON log's `"digest":"…"` or the `digest: '…'` that ends Next's own print of an error.
    const byDigest = new RegExp(`digest["']?:\\s*["']${reference}["']`);
    // Without colour codes: Next colours its print when Playwright's environment asks for colour.
    const lines = (keep: (line: string) => boolean) => stripVTControlCharacters(readFileSync(path.join(logDir, "web.log"), "utf8")).split("\n").filter(keep);
    await expect.poll(() => lines((l) => l.includes(`"digest":"${reference}"`)).length).toBe(1);
    // Stopped, the server has written all it will: whatever it held back is out too.
    await web.stop();

    const logged = lines((l) => byDigest.test(l));
    expect(logged).toHaveLength(1);
    const entry = JSON.parse(logged[0]!);
    expect(entry).toMatchObject({ level: 50, service: "web", digest: reference, method: "GET", path: "/settings/tokens", routeType: "render" });
    expect(entry.err.message).toContain('relation "api_tokens" does not exist');
    expect(entry.err.stack).toMatch(/^Error: Failed query: select .* from "api_tokens"/);
    // The cause is said once in all the output, in that line.
    expect(lines((l) => l.includes('relation \\"api_tokens\\" does not exist') || l.includes('relation "api_tokens" does not exist'))).toEqual(logged);
  } finally {
    await context.close();
    await web.stop();
  }
});

test("a page waiting on a slow query shows its heading and a busy skeleton, then the figures", async ({ page }) => {
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  // A lock held in an open transaction makes the page's queries wait, as a slow database would.
  for (const { path, table, busy, done } of [
    { path: "/research/dashboard", table: "comparisons", busy: "Loading the dashboard", done: page.getByRole("form", { name: "Filter the dashboard" }) },
    { path: "/research/runs", table: "dataset_snapshots", busy: "Loading runs", done: page.getByRole("heading", { name: "Recent runs" }) },
  ]) {
    const held = await sql.reserve();
    try {
      await held`begin`;
      await held.unsafe(`lock table ${table} in access exclusive mode`);
      await page.goto(path, { waitUntil: "commit" });
      const skeleton = page.getByRole("status", { name: busy });
      await expect(skeleton).toBeVisible();
      await expect(skeleton).toHaveAttribute("aria-busy", "true");
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expect(done).toHaveCount(0);
    } finally {
      await held`rollback`;
      held.release();
    }
    await expect(done).toBeVisible();
    await expect(page.getByRole("status", { name: busy })).toHaveCount(0);
  }
});

test("with no snapshot yet, /exports says so and links to the Snapshots page to make one", async ({ page }) => {
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  // Earlier specs' snapshots are set aside, so the page finds none whatever ran before.
  await sql.begin(async (tx) => {
    await tx.unsafe(`alter table dataset_snapshots rename to ${HIDDEN_SNAPSHOTS}`);
    await tx.unsafe(`create table dataset_snapshots (like ${HIDDEN_SNAPSHOTS} including defaults)`);
  });
  try {
    await page.goto("/exports");
    const empty = page.getByText(/^No snapshots yet\./);
    await expect(empty).toHaveText("No snapshots yet. Make one from a campaign, then export it here.");
    const makeOne = empty.getByRole("link", { name: "Make one" });
    await expect(makeOne).toHaveAttribute("href", "/research/snapshots");
    await makeOne.click();
    await expect(page).toHaveURL(/\/research\/snapshots$/);
    await expect(page.getByRole("heading", { level: 1, name: "Dataset snapshots" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "New snapshot" })).toBeVisible();
  } finally {
    await restoreSnapshots();
  }
});

test("a running run whose worker has gone quiet says so on its page, before the run is taken back", async ({ page }) => {
  await signInAndWait(page, "researcher@pairwise.local", "/research");
  // A run of a kind no worker takes, last heard of 18 s ago: past half the 30 s timeout, so the page says so,
  // and 12 s short of it, when a worker's sweep would queue it again (deleted before then).
  const [run] = await sql<{ id: string }[]>`
    insert into runs (kind, status, attempts, started_at, heartbeat_at)
    values ('e2e-silent', 'running', 1, now() - interval '60 seconds', now() - interval '18 seconds') returning id`;
  try {
    await page.goto(`/research/runs/${run!.id}`);
    await expect(page.getByTestId("run-status")).toHaveText("running");
    await expect(page.getByRole("status").filter({ hasText: /^No word from its worker for (1[89]|2\d) s\. A run whose worker stays silent for 30 s is queued again/ })).toBeVisible();
  } finally {
    await sql`delete from runs where id = ${run!.id}`;
  }
});
