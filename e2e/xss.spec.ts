import { expect, test } from "@playwright/test";
import { signIn, signInAndWait } from "./helpers";

const payloads = [
  `<script>window.__pwned = 1</script>`,
  `<img src=x onerror="window.__pwned = 2">`,
  `[click me](javascript:window.__pwned=3)`,
  `<svg onload="window.__pwned = 4"></svg>`,
  '```html\n<script>window.__pwned = 5</script>\n```',
];

test("XSS payloads in guidelines, prompts and responses stay inert on the labeling and campaign pages", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await signIn(page, "researcher@pairwise.local");
  await expect(page).toHaveURL(/\/research$/);
  const name = `XSS <img src=x onerror="window.__pwned = 6"> ${Date.now()}`;
  const created = await page.request.post("/api/v1/campaigns", {
    data: { name, status: "active", guidelines: payloads.join("\n\n"), settings: { goldRate: 0 } },
  });
  const { campaign } = await created.json();
  const rows = payloads.map((p, i) => JSON.stringify({ prompt: `Prompt ${i} ${p}`, response_a: `A ${p}`, response_b: `B ${i} ${p}` }));
  expect((await (await page.request.post(`/api/v1/campaigns/${campaign.id}/import`, { data: rows.join("\n") })).json()).pairsCreated).toBe(payloads.length);

  await page.goto(`/research/campaigns/${campaign.id}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("XSS <img");
  await page.context().clearCookies();

  // The payloads are shown as text: no script ran, no handler attribute or script element was injected.
  const inert = async () => {
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator("main script, main [onerror], main [onload], main a[href^='javascript:']").count()).toBe(0);
    expect(dialogs).toEqual([]);
  };

  await signInAndWait(page, "labeler1@pairwise.local", "/label");
  await page.goto(`/label/${campaign.id}`);
  // Keys work once the workspace has rendered its first task (its key listener is registered then).
  const task = page.getByRole("region", { name: "Task" });
  await expect(task).toContainText(/Prompt \d/);
  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Guidelines" })).toContainText("window.__pwned = 1");
  await inert();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: "Guidelines" })).toBeHidden();
  // Every pair, each with a different payload, is shown and judged.
  for (let i = 0; i < payloads.length; i++) {
    await expect(task).toContainText(/Prompt \d/);
    const shown = await task.getAttribute("data-assignment-id");
    await inert();
    await page.keyboard.press("1");
    await page.keyboard.press("q");
    await page.keyboard.press("Enter");
    if (i < payloads.length - 1) await expect(task).not.toHaveAttribute("data-assignment-id", shown!);
  }
  await expect(page.getByText("No pairs left for you here")).toBeVisible();
  await inert();
});
