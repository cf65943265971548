import { expect, test, type Locator, type Page, type Route } from "@playwright/test";
import { apiSession, chartedRun, DEMO_PASSWORD, liveLinkTokens, newLabelers, signIn } from "./helpers";
import { callers, concretePath, pagesFor, type Caller, type PageIds } from "./route-matrix";

/**
 * The app on a phone: 390 x 844 CSS px, touch and no keyboard (Chromium's mobile emulation, so the
 * page is laid out at the device's width and the pointer is coarse, as on a real phone). No page
 * may scroll sideways; on every page of every role, on a phone and on a tablet held sideways, every
 * control is at least 44 x 44 px (WCAG 2.5.5), no explanation hides in a hover tooltip and no words
 * ask for a key, and on the tablet (the desktop layout) no file input cuts its own text; a labeler judges, undoes and skips with taps alone (an undo that fails says to undo
 * again, with no key to press), and with the on-screen keyboard up Submit stays in sight; the
 * header's links are all reachable behind its menu, by tap and by keyboard.
 *
 * What it makes stays out of other specs' way: its labelers are made here, its campaign is open to
 * one of them only, and its run is cancelled before it registers a reward model.
 */
const PHONE = { width: 390, height: 844 };
/** What is left of the screen above a phone's on-screen keyboard. */
const ABOVE_KEYBOARD = { width: 390, height: 500 };
/** A tablet held sideways: wide enough for the desktop layout (lg, 1024 px), with a finger for a pointer. */
const TABLET = { width: 1180, height: 820 };
const MIN_TARGET = 44;
test.use({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

/** Every pair is the hard case: the prompt and A have a long code line and a wide table; B is a long text. */
const wideMarkdown = [
  "```ts",
  `export function ${"very".repeat(12)}LongName(parameterOne: string, parameterTwo: number): Promise<Record<string, unknown>> { return fetch(parameterOne).then((r) => r.json()); }`,
  "```",
  "",
  `| ${Array.from({ length: 8 }, (_, i) => `column ${i + 1}`).join(" | ")} |`,
  `|${"---|".repeat(8)}`,
  `| ${Array.from({ length: 8 }, () => "some cell text").join(" | ")} |`,
  "",
  `${"Unbroken".repeat(12)} word.`,
].join("\n");
const longText = Array.from({ length: 30 }, (_, i) => `Paragraph ${i + 1}. ${"This answer goes on and on about the word. ".repeat(4)}`).join("\n\n");
const RATIONALE = "A is right; B rambles.";

let ids: PageIds;
let campaign: { id: string; name: string };
let labeler: { id: string; email: string };

test.beforeAll(async ({ playwright, baseURL }) => {
  test.setTimeout(180_000);
  const researcher = await apiSession(playwright.request, baseURL!, "researcher@pairwise.local");
  const admin = await apiSession(playwright.request, baseURL!, "admin@pairwise.local");
  const judges = await newLabelers(admin, "phone", 3);
  labeler = judges[0]!;
  const name = `Phone ${Date.now()}`;
  const created = await researcher.post("/api/v1/campaigns", {
    data: { name, status: "active", overlap: 1, labelerIds: [labeler.id], guidelines: "## What to judge\n\nPick the **correct** answer, as [the style guide](https://example.com/style) says.", settings: { goldRate: 0, rationale: "optional" } },
  });
  expect(created.status()).toBe(201);
  campaign = { id: (await created.json()).campaign.id, name };
  const rows = [1, 2, 3].map((i) => ({ prompt: `Explain thing ${i}, with code\n\n${wideMarkdown}`, response_a: `### Answer A${i}\n\n${wideMarkdown}`, response_b: `Answer B${i}. ${longText}` }));
  const imported = await researcher.post(`/api/v1/campaigns/${campaign.id}/import`, {
    data: rows.map((row) => JSON.stringify(row)).join("\n"),
    headers: { "content-type": "application/x-ndjson" },
  });
  expect((await imported.json()).pairsCreated).toBe(3);
  // A long title, as people write them: selects and lists that offer its campaign and snapshot must still fit. (No word
  // in it is a label other specs look for by substring, such as "Name".)
  const runId = await chartedRun({ researcher, judges, request: playwright.request, baseURL: baseURL!, name: "Phone run: a very long title, the way people like to write them out in full" });
  ids = { campaignId: campaign.id, runId, ...(await liveLinkTokens({ admin, prefix: "phone", resetUserId: judges[2]!.id })) };
  await researcher.dispose();
  await admin.dispose();
});

/** How wide the page's content is: more than the phone's width means the whole page scrolls sideways. */
function pageWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.scrollingElement!.scrollWidth);
}

async function expectNoSidewaysScroll(page: Page, where: string) {
  expect(await pageWidth(page), `${where} is wider than the phone`).toBeLessThanOrEqual(PHONE.width);
}

/** A target a fingertip hits: on screen across its whole width, and at least 44 x 44 px. */
async function expectTappable(target: Locator) {
  await expect(target).toBeVisible();
  const name = await target.evaluate((el) => el.getAttribute("aria-label") ?? (el as HTMLInputElement).labels?.[0]?.innerText ?? (el as HTMLElement).innerText);
  const box = (await target.boundingBox())!;
  expect({ name, width: box.width >= MIN_TARGET, height: box.height >= MIN_TARGET, onScreen: box.x >= 0 && box.x + box.width <= PHONE.width }).toEqual({
    name,
    width: true,
    height: true,
    onScreen: true,
  });
}

/** Words that only make sense with a keyboard: "press Z", "Ctrl+C", "(Esc)", "Enter to confirm", a "(?)" key hint. */
const KEY_WORDS = /\bpress\b|\bctrl\b|\besc\b|\benter to\b|\(\?\)|\(z\)/;

/**
 * What is wrong with the page on a touch screen, one line each: a visible control whose hit area is
 * under 44 x 44 px, or partly under something else that would take the tap (links, buttons, fields,
 * selects, a details' summary, anything focusable; a checkbox or radio is hit through the label that
 * wraps it, so the label's box counts), an element whose explanation is in a `title` (a tooltip, which
 * needs a hover), and visible words that ask for a key (the labeling page's footer that lists its
 * keys, for a tablet's keyboard, aside). Closed details are opened first, so what they hold is checked too.
 */
async function touchProblems(page: Page, where: string): Promise<string[]> {
  const problems = await page.evaluate(
    ({ min, keyWords }) => {
      for (const details of document.querySelectorAll("details")) details.open = true;
      const controls = document.querySelectorAll<HTMLElement>(
        "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=radio], [role=checkbox], [tabindex]:not([tabindex='-1'])",
      );
      const targets = [...controls].flatMap((control) => {
        if (!control.checkVisibility({ visibilityProperty: true })) return [];
        const choice = control instanceof HTMLInputElement && (control.type === "checkbox" || control.type === "radio");
        const target = (choice && control.closest("label")) || control;
        const name = `${control.tagName.toLowerCase()} "${control.getAttribute("aria-label") ?? target.textContent?.trim().replace(/\s+/g, " ").slice(0, 40)}"`;
        // A link that wraps is hit on each of its lines' boxes: each must be a fingertip tall, and all of them together as wide.
        const boxes = () => [...target.getClientRects()].filter((box) => box.width > 0);
        const width = boxes().reduce((sum, box) => sum + box.width, 0);
        const height = Math.min(...boxes().map((box) => box.height));
        if (width < min || height < min) return [`${Math.round(width)} x ${Math.round(height)} px: ${name}`];
        // Its boxes are its hit area only where nothing painted over them takes the tap: the middle of each
        // edge must hit it, 2 px in (a disabled control takes no tap at all).
        if (control.matches(":disabled")) return [];
        target.scrollIntoView({ block: "center", inline: "nearest" });
        return boxes().flatMap((box) => {
          const edges = {
            top: [box.left + box.width / 2, box.top + 2],
            bottom: [box.left + box.width / 2, box.bottom - 2],
            left: [box.left + 2, box.top + box.height / 2],
            right: [box.right - 2, box.top + box.height / 2],
          };
          return Object.entries(edges).flatMap(([edge, [x, y]]) => {
            const hit = document.elementFromPoint(x!, y!);
            return target.contains(hit) ? [] : [`its ${edge} edge is under ${hit?.tagName.toLowerCase()} "${hit?.textContent?.trim().slice(0, 30)}": ${name}`];
          });
        });
      });
      const tooltips = [...document.querySelectorAll("[title]")].map((el) => `tooltip only: ${el.tagName.toLowerCase()} title="${el.getAttribute("title")?.slice(0, 60)}"`);
      const keyList = document.querySelector<HTMLElement>("footer[aria-label='Keyboard shortcuts']")?.innerText ?? "";
      const keys = document.body.innerText
        .replace(keyList, "")
        .split("\n")
        .filter((line) => new RegExp(keyWords, "i").test(line))
        .map((line) => `asks for a key: "${line.trim().slice(0, 80)}"`);
      return [...targets, ...tooltips, ...keys];
    },
    { min: MIN_TARGET, keyWords: KEY_WORDS.source },
  );
  return problems.map((problem) => `${where}: ${problem}`);
}

/**
 * The file inputs narrower than the width Chrome asks for one (its button and "No file chosen"),
 * below which it cuts its own text mid-word ("Choose File No …sen"). Checked in the desktop layout:
 * on a phone a full-width file input is a few px under that width and still shows its whole text.
 */
async function clippedFileInputs(page: Page, where: string): Promise<string[]> {
  const clipped = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement>("input[type=file]")].flatMap((input) => {
      const width = input.getBoundingClientRect().width;
      input.style.width = "max-content";
      const wanted = input.getBoundingClientRect().width;
      input.style.width = "";
      return width < wanted ? [`file input "${input.labels?.[0]?.innerText}" is ${Math.round(width)} px wide, its text wants ${Math.round(wanted)} px`] : [];
    }),
  );
  return clipped.map((problem) => `${where}: ${problem}`);
}

/** Whether the whole of `target` is inside the visible part of the page. */
async function inView(page: Page, target: Locator): Promise<boolean> {
  const box = (await target.boundingBox())!;
  const { height } = page.viewportSize()!;
  return box.y >= 0 && box.y + box.height <= height;
}

/** The radio that picks the response whose text holds `text`, wherever the page put it (the order is random). */
async function responseRadio(page: Page, text: string): Promise<Locator> {
  for (const n of [1, 2]) {
    if ((await page.getByRole("region", { name: `Response ${n} text` }).innerText()).includes(text)) return page.getByRole("radio", { name: new RegExp(`^Response ${n} `) });
  }
  throw new Error(`no response holds "${text}"`);
}

const task = (page: Page) => page.getByRole("region", { name: "Task" });
const button = (page: Page, name: RegExp) => page.getByRole("button", { name });
const strength = (page: Page, name: string) => page.getByRole("radiogroup", { name: "How much better?" }).getByRole("radio", { name: new RegExp(`^${name}`) });

/** Waits for a pair other than `previous` and returns its assignment id. */
async function nextPair(page: Page, previous: string | null): Promise<string> {
  if (previous) await expect(task(page)).not.toHaveAttribute("data-assignment-id", previous);
  await expect(task(page)).toBeVisible();
  return (await task(page).getAttribute("data-assignment-id"))!;
}

const signedIn: [Exclude<Caller, "anonymous">, () => string][] = [
  ["labeler", () => labeler.email],
  ["researcher", () => "researcher@pairwise.local"],
  ["admin", () => "admin@pairwise.local"],
];

/** Opens `url` and waits until it is full: the labeling page with its pair, a run's page with its charts. */
async function openFull(page: Page, url: string) {
  const response = await page.goto(url);
  expect(response?.status(), url).toBeLessThan(400);
  await page.waitForLoadState("networkidle");
  if (url.startsWith("/label/")) await expect(task(page)).toBeVisible();
  if (url.startsWith("/research/runs/")) await expect(page.getByRole("figure").first()).toBeVisible();
}

/** Signs `caller` in (none for anonymous) and returns the pages they may open; the labeling page of this campaign is its labeler's only (the others are not members). */
async function signInAs(page: Page, caller: Caller): Promise<string[]> {
  await page.context().clearCookies();
  const signedInCaller = signedIn.find(([who]) => who === caller);
  if (signedInCaller) {
    await signIn(page, signedInCaller[1]());
    await expect(page).not.toHaveURL(/\/signin/);
  }
  const urls = pagesFor(caller, ids).filter((url) => caller === "labeler" || !url.startsWith("/label/"));
  expect(urls.length).toBeGreaterThanOrEqual({ anonymous: 5, labeler: 3, researcher: 12, admin: 14 }[caller]);
  return urls;
}

test("no page scrolls sideways at 390 px, for any role", async ({ page }) => {
  test.setTimeout(120_000);
  const tooWide: { url: string; width: number }[] = [];
  for (const caller of callers) {
    for (const url of await signInAs(page, caller)) {
      await openFull(page, url);
      const width = await pageWidth(page);
      if (width > PHONE.width) tooWide.push({ url, width });
    }
  }
  expect(tooWide).toEqual([]);
});

/** Pages a role meets besides its own: the 403 and 404 pages, and the audit log filtered (with its Clear link). */
const alsoMet: Partial<Record<Caller, { url: string; status: number }[]>> = {
  labeler: [{ url: "/research", status: 403 }],
  admin: [
    { url: "/admin/audit?actor=system", status: 200 },
    { url: concretePath("/research/campaigns/[campaignId]"), status: 404 },
  ],
};

test("on a touch screen every control of every page is a fingertip's size, no explanation needs a hover, no words ask for a key and, in the desktop layout, no file input cuts its text, for any role", async ({ page }) => {
  test.setTimeout(360_000);
  const problems: string[] = [];
  for (const screen of [PHONE, TABLET]) {
    await page.setViewportSize(screen);
    const at = (what: string) => `${what} at ${screen.width} px`;
    for (const caller of callers) {
      for (const url of await signInAs(page, caller)) {
        await openFull(page, url);
        problems.push(...(await touchProblems(page, at(url))));
        if (screen === TABLET) problems.push(...(await clippedFileInputs(page, at(url))));
      }
      for (const { url, status } of alsoMet[caller] ?? []) {
        expect((await page.goto(url))?.status(), url).toBe(status);
        problems.push(...(await touchProblems(page, at(url))));
      }
      if (caller === "labeler") {
        // The labeling page's panels: the guidelines (with a link in them) and the skip reasons.
        await openFull(page, `/label/${campaign.id}`);
        await button(page, /^Guidelines/).tap();
        await expect(page.getByRole("dialog", { name: "Guidelines" }).getByRole("link", { name: "the style guide" })).toBeVisible();
        await button(page, /^Skip/).tap();
        await expect(page.getByRole("form", { name: "Skip this pair" })).toBeVisible();
        problems.push(...(await touchProblems(page, at("the labeling page's guidelines and skip reasons"))));
      }
      if (caller === "admin") {
        // A link just made, which the browser will not copy: the admin is told how to copy it by hand.
        await openFull(page, "/admin");
        await page.evaluate(() => Object.defineProperty(navigator, "clipboard", { value: { writeText: () => Promise.reject(new Error("not allowed")) } }));
        await page.getByLabel("Email to invite").fill(`phone-copy-${screen.width}-${Date.now()}@pairwise.local`);
        await page.getByRole("button", { name: "Create invite link" }).tap();
        await page.getByRole("button", { name: "Copy link" }).tap();
        await expect(page.getByText(/^The browser did not allow copying/)).toBeVisible();
        problems.push(...(await touchProblems(page, at("an invite link that would not copy"))));
      }
    }
  }
  expect(problems).toEqual([]);
});

test("a labeler judges, undoes and skips by tapping 44 px targets, and Submit stays above the on-screen keyboard", async ({ page, playwright, baseURL }) => {
  // Signing in: fields and button a fingertip's size, the fields' text 16 px (iOS zooms the page into a field with less).
  await page.goto("/signin");
  for (const target of [page.getByLabel("Email"), page.getByLabel("Password"), page.getByRole("button", { name: "Sign in", exact: true })]) await expectTappable(target);
  expect(await page.getByLabel("Email").evaluate((field) => getComputedStyle(field).fontSize)).toBe("16px");
  await page.getByLabel("Email").fill(labeler.email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).tap();
  await expect(page).toHaveURL(/\/label$/);
  await page.getByRole("region", { name: campaign.name }).getByRole("link", { name: "Start labeling" }).tap();
  const first = await nextPair(page, null);
  await expectNoSidewaysScroll(page, "a pair with a code block and a wide table");
  // The code block and the table scroll in their own boxes, not the whole response's text.
  for (const n of [1, 2]) {
    const box = page.getByRole("region", { name: `Response ${n} text` });
    expect(await box.evaluate((el) => el.scrollWidth - el.clientWidth), `response ${n}'s text scrolls sideways`).toBe(0);
  }

  // Every control of the pair: picks, tie and both bad, strength once a side is picked, the actions.
  const a = await responseRadio(page, "Answer A");
  for (const target of [a, await responseRadio(page, "Answer B"), button(page, /^Tie/), button(page, /^Both bad/), button(page, /^Guidelines/), button(page, /^Skip/), button(page, /^Submit/), button(page, /^Undo/)]) {
    await expectTappable(target);
  }
  await a.tap();
  await expect(a).toHaveAttribute("aria-checked", "true");
  for (const label of ["negligibly better", "slightly better", "clearly better", "much better"]) await expectTappable(strength(page, label));
  await expectNoSidewaysScroll(page, "the pair with its strength buttons");
  await strength(page, "much better").tap();
  await expect(strength(page, "much better")).toHaveAttribute("aria-checked", "true");

  // The rationale, tapped with the field at the bottom of the screen; then the keyboard comes up
  // and leaves 500 px: the field and Submit are both in sight.
  const rationale = page.getByRole("textbox", { name: /^Rationale/ });
  await rationale.evaluate((field) => field.scrollIntoView({ block: "end" }));
  await rationale.tap();
  await expect(rationale).toBeFocused();
  // 16 px text: iOS zooms the page into a field with less.
  expect(await rationale.evaluate((field) => getComputedStyle(field).fontSize)).toBe("16px");
  await rationale.fill(RATIONALE);
  await page.setViewportSize(ABOVE_KEYBOARD);
  await expect.poll(() => inView(page, button(page, /^Submit/)), { message: "Submit above the keyboard" }).toBe(true);
  expect(await inView(page, rationale)).toBe(true);
  await expectNoSidewaysScroll(page, "the pair with the keyboard up");
  await button(page, /^Submit/).tap();
  await page.setViewportSize(PHONE);
  const second = await nextPair(page, first);

  // An undo that never reaches the server says so, and to undo again, without a key to press.
  const dropUndo = (route: Route) => (route.request().method() === "DELETE" ? route.abort() : route.fallback());
  await page.route("**/api/v1/judgments/*", dropUndo);
  await button(page, /^Undo/).tap();
  const undoFailed = page.locator("main").getByRole("alert");
  await expect(undoFailed).toContainText("Your undo did not reach the server", { timeout: 30_000 });
  await expect(undoFailed).toContainText("Undo again to try again.", { useInnerText: true });
  await page.unroute("**/api/v1/judgments/*", dropUndo);

  // Undo brings the pair back blank; it is judged again, so the first judgment must be gone.
  await button(page, /^Undo/).tap();
  await expect(task(page)).toHaveAttribute("data-assignment-id", first);
  await expect(page.getByRole("radio", { checked: true })).toHaveCount(0);
  await (await responseRadio(page, "Answer A")).tap();
  await strength(page, "clearly better").tap();
  await page.getByRole("textbox", { name: /^Rationale/ }).fill(RATIONALE);
  await button(page, /^Submit/).tap();
  await expect(task(page)).toHaveAttribute("data-assignment-id", second);

  // Skip: each reason's row is the target (its radio is the browser's own, 13 px, inside it).
  await button(page, /^Skip/).tap();
  const skipForm = page.getByRole("form", { name: "Skip this pair" });
  for (const reason of ["1. Unclear prompt", "2. I can't judge this", "3. Offensive content", "4. Other"]) await expectTappable(skipForm.locator("label", { hasText: reason }));
  await expectTappable(skipForm.getByRole("button", { name: "Skip pair" }));
  await expectTappable(skipForm.getByRole("button", { name: "Cancel" }));
  await skipForm.locator("label", { hasText: "1. Unclear prompt" }).tap();
  await expect(skipForm.getByRole("radio", { name: /Unclear prompt/ })).toBeChecked();
  await skipForm.getByRole("button", { name: "Skip pair" }).tap();
  const third = await nextPair(page, second);

  // Paused mid-pair: the judgment is refused and said to be unsaved; the panel's way back is a
  // target too, and the page still fits. Resumed, the pair is judged and the campaign is done.
  const researcher = await apiSession(playwright.request, baseURL!, "researcher@pairwise.local");
  const setStatus = async (status: string) => expect((await researcher.patch(`/api/v1/campaigns/${campaign.id}`, { data: { status } })).status()).toBe(200);
  await setStatus("paused");
  await (await responseRadio(page, "Answer B")).tap();
  await strength(page, "slightly better").tap();
  await button(page, /^Submit/).tap();
  await expect(page.locator("main").getByRole("alert")).toContainText("Your judgment was not saved.");
  await expectTappable(page.getByRole("link", { name: "Back to your campaigns" }));
  await expectNoSidewaysScroll(page, "the paused campaign's panel");
  await setStatus("active");
  await page.reload();
  await expect(task(page)).toHaveAttribute("data-assignment-id", third);
  await (await responseRadio(page, "Answer B")).tap();
  await strength(page, "slightly better").tap();
  await button(page, /^Submit/).tap();
  await expect(page.getByRole("heading", { name: "No pairs left for you here" })).toBeVisible();
  await expectTappable(page.getByRole("link", { name: "Back to your campaigns" }));
  await expectTappable(button(page, /^Undo/));
  // No key to press on a phone: the Undo button speaks for itself.
  await expect(page.getByText("Press Z to undo your last judgment.")).toBeHidden();
  await expectNoSidewaysScroll(page, "the campaign's end");

  // Stored as tapped: one judgment per judged pair (the undone one is gone), read back through the
  // API as an admin's raw votes export (the variant with rationales); the skip in the labeler's stats.
  const admin = await apiSession(playwright.request, baseURL!, "admin@pairwise.local");
  const { snapshot } = await (await admin.post("/api/v1/snapshots", { data: { name: "phone", filters: { campaignIds: [campaign.id] } } })).json();
  const exported = await admin.get(`/api/v1/snapshots/${snapshot.id}/export?format=votes-jsonl`);
  expect(exported.status()).toBe(200);
  const votes = (await exported.text())
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { choice: string; strength: number | null; rationale: string | null });
  expect(votes.map(({ choice, strength, rationale }) => ({ choice, strength, rationale })).sort((x, y) => x.choice.localeCompare(y.choice))).toEqual([
    { choice: "a", strength: 3, rationale: RATIONALE },
    { choice: "b", strength: 2, rationale: null },
  ]);
  const { stats } = await (await page.request.get("/api/v1/me/stats")).json();
  expect(stats.skipped).toBe(1);
  await researcher.dispose();
  await admin.dispose();
});

test("the header's links are all reachable on a phone, behind a menu that works by tap and by keyboard", async ({ page }) => {
  await signIn(page, "admin@pairwise.local");
  await expect(page).toHaveURL(/\/admin$/);
  const menu = page.getByRole("button", { name: "Menu" });
  const nav = page.getByRole("navigation", { name: "Main" });
  await expectTappable(menu);
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
  await expectNoSidewaysScroll(page, "the header, menu closed");

  await menu.tap();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  const links = nav.getByRole("link");
  await expect(links).toHaveCount(11);
  for (const link of await links.all()) await expectTappable(link);
  await expectTappable(page.getByRole("button", { name: "Sign out" }));
  await expectNoSidewaysScroll(page, "the header, menu open");
  // A link followed closes the menu on the page it opens; there, a run's link is a fingertip's size, as is the way home.
  await nav.getByRole("link", { name: "Runs" }).tap();
  await expect(page).toHaveURL(/\/research\/runs$/);
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
  await expectTappable(page.getByRole("link", { name: ids.runId.slice(0, 8), exact: true }));
  await expectTappable(page.getByRole("link", { name: "Pairwise", exact: true }));
  await page.goto("/research");
  await expectTappable(page.getByRole("link", { name: campaign.name, exact: true }));

  // With a keyboard (a tablet's): Enter opens it, Tab goes into it, Esc closes it and gives the button the focus back.
  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await page.keyboard.press("Tab");
  await expect(nav.getByRole("link", { name: "Users" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(menu).toBeFocused();
});
