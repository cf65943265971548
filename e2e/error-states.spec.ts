import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { runningEmbeddedUrl } from "@/db/embedded";
import { signInAndWait } from "./helpers";

/**
 * The app's database, reached directly to make a page's query fail or wait for real. Safe
 * beside the other specs: they run one at a time (playwright.config.ts: workers 1, not fully
 * parallel), each change is undone in a `finally`, and the tables touched are read by these
 * pages, not by the trainer worker.
 */
function appDatabase() {
  const url = process.env.E2E_DATABASE_URL ?? runningEmbeddedUrl(".data/e2e");
  if (!url) throw new Error("No e2e database: set E2E_DATABASE_URL, or let the e2e app start its embedded one under .data/e2e.");
  return postgres(url, { max: 2, onnotice: () => {} });
}

// Connected once the app is up: files are loaded before the web server starts, and the embedded database with it.
let sql: ReturnType<typeof appDatabase>;
test.beforeAll(() => {
  sql = appDatabase();
});
test.afterAll(() => sql?.end());

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
