import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, count, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { auditEvents, pairs, prompts, responses } from "@/db/schema";
import { leaseTasks, submitJudgment } from "@/lib/labeling/queue";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { makeUser } from "@/lib/testing/fixtures";
import { addRowsToCampaign, DistinctKeys, importFile } from "./import";
import { allPairs } from "./parse";

const dir = mkdtempSync(path.join(tmpdir(), "pairwise-import-"));
function file(name: string, lines: string[]): string {
  const p = path.join(dir, name);
  writeFileSync(p, lines.join("\n") + "\n");
  return p;
}

async function tableCounts() {
  const [[p], [r], [pa]] = await Promise.all([
    db.select({ n: count() }).from(prompts),
    db.select({ n: count() }).from(responses),
    db.select({ n: count() }).from(pairs),
  ]);
  return [p!.n, r!.n, pa!.n];
}

describe("allPairs", () => {
  it("makes K-choose-2 pairs and a stable sample", () => {
    expect(allPairs([1, 2, 3, 4], 0, 1)).toHaveLength(6);
    expect(allPairs([1, 2, 3, 4], 2, 7)).toEqual(allPairs([1, 2, 3, 4], 2, 7));
    expect(allPairs([1, 2, 3, 4], 2, 7)).toHaveLength(2);
  });
});

describe("DistinctKeys", () => {
  it("counts each key once, long keys by their digest, and says when a key past its cap went uncounted", () => {
    const keys = new DistinctKeys(3);
    for (const k of ["a", "b", "a", "x".repeat(100), "x".repeat(100)]) keys.add(k);
    expect([keys.count, keys.capped]).toEqual([3, false]);
    keys.add("b");
    expect([keys.count, keys.capped]).toEqual([3, false]);
    keys.add(`${"x".repeat(99)}y`);
    expect([keys.count, keys.capped]).toEqual([3, true]);
  });
});

describe("import (real Postgres)", () => {
  it("refuses a file with bad lines whole, naming each line, and writes nothing", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const before = await tableCounts();
    const result = await importFile({
      campaignId: campaign.id,
      actorId: null,
      options: {},
      file: file("bad.jsonl", [
        JSON.stringify({ prompt: "ok", response_a: "x", response_b: "y" }),
        "{not json",
        JSON.stringify({ prompt: "p", response_a: "" , response_b: "y" }),
        JSON.stringify({ prompt: "p", chosen: "x" }),
        JSON.stringify([1, 2]),
      ]),
    });
    expect(result.ok).toBe(false);
    expect(result.errors.map((e) => e.line)).toEqual([2, 3, 4, 5]);
    expect(result.errors[0]!.message).toMatch(/Not valid JSON/);
    expect(result.errors[1]!.message).toMatch(/response_a/);
    expect(result.errors[2]!.message).toMatch(/rejected/);
    expect(await tableCounts()).toEqual(before);
  });

  it("records a refused import in the audit log: the bad lines, the first reasons cut short; a binary or empty file by its reason", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const actor = await makeUser("researcher");
    const refusals = () =>
      db.select({ actorId: auditEvents.actorId, details: auditEvents.details }).from(auditEvents).where(and(eq(auditEvents.action, "campaign.import_refused"), eq(auditEvents.targetId, campaign.id))).orderBy(auditEvents.at, auditEvents.id);
    // Nine bad lines for eight reasons: the event lists the first five and counts the lines they leave out.
    const lines = [
      JSON.stringify({ prompt: "ok", response_a: "x", response_b: "y" }),
      "{not json",
      JSON.stringify({ prompt: "p1", response_a: "a", response_b: "b", gold: "g1" }),
      JSON.stringify({ prompt: "p2", response_a: "a", response_b: "b", gold: "g2" }),
      JSON.stringify({ prompt: "p3", response_a: "", response_b: "b" }),
      JSON.stringify({ prompt: "p4", response_a: "a", response_b: "b", Gold: "a", GOLD: "a", gold_choice: "a", Metadata: {}, METADATA: {}, meta_data: {} }),
      JSON.stringify({ prompt: "p5", response_a: "a", response_b: "b", metadata: 3 }),
      JSON.stringify({ prompt: "p6", response_a: "a" }),
      JSON.stringify({ prompt: 7, response_a: "a", response_b: "b" }),
      JSON.stringify([1]),
    ];
    const result = await importFile({ campaignId: campaign.id, actorId: actor.id, options: {}, file: file("refused.jsonl", lines) });
    expect(result).toMatchObject({ ok: false, rows: 10, errorCount: 9 });
    expect(result.errors).toHaveLength(8);
    const [event] = await refusals();
    const details = event!.details as { reason: string; rows: number; errorCount: number; errors: { line: number; rows?: number; message: string }[]; badLinesNotListed: number };
    expect(event!.actorId).toBe(actor.id);
    // The five listed errors stand for six lines (one for two): three bad lines are not listed.
    expect(details).toMatchObject({ reason: "bad_lines", rows: 10, errorCount: 9, badLinesNotListed: 3 });
    expect(details.errors.map((e) => e.line)).toEqual([2, 3, 5, 6, 7]);
    expect(details.errors[0]!.message).toBe(result.errors[0]!.message);
    // Six look-alike keys make a message over 300 characters: the event keeps its first 299 and an ellipsis.
    expect(result.errors[3]!.message.length).toBeGreaterThan(300);
    expect(details.errors[3]!.message).toBe(`${result.errors[3]!.message.slice(0, 299)}…`);
    // The same reason twice is one error standing for two rows, as the result says it.
    expect(details.errors[1]).toEqual({ ...result.errors[1], rows: 2 });
    expect(details.errors[4]).toEqual(result.errors[4]);
    expect(details.errors[1]!.rows).toBe(2);

    const png = path.join(dir, "refused.png");
    writeFileSync(png, Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"));
    await expect(importFile({ campaignId: campaign.id, actorId: actor.id, options: {}, file: png })).rejects.toMatchObject({ code: "bad_request:binary_import" });
    await expect(importFile({ campaignId: campaign.id, actorId: null, options: {}, file: file("blank.jsonl", ["", "  "]) })).rejects.toMatchObject({ code: "bad_request:empty_import" });
    expect((await refusals()).map((e) => [e.actorId, e.details])).toEqual([
      [actor.id, details],
      [actor.id, { reason: "binary" }],
      [null, { reason: "empty", rows: 0 }],
    ]);
    // Nothing was imported, so no campaign.imported event either.
    expect(await db.select().from(auditEvents).where(and(eq(auditEvents.action, "campaign.imported"), eq(auditEvents.targetId, campaign.id)))).toEqual([]);
  });

  it("counts in a refusal's audit event every bad line its listed errors leave out, past the 100 errors of the result", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    // 150 reasons (a JSON error at another position each), the first two lines bad alike.
    const lines = ["{x", "{x", ...Array.from({ length: 149 }, (_, i) => `{"prompt": ${"1".repeat(i + 1)}x`)];
    const result = await importFile({ campaignId: campaign.id, actorId: null, options: {}, file: file("many-reasons.jsonl", lines) });
    expect(result).toMatchObject({ ok: false, errorCount: 151 });
    expect(result.errors).toHaveLength(100);
    const [event] = await db.select({ details: auditEvents.details }).from(auditEvents).where(and(eq(auditEvents.action, "campaign.import_refused"), eq(auditEvents.targetId, campaign.id)));
    expect(event!.details).toMatchObject({ errorCount: 151, badLinesNotListed: 151 - 2 - 4 });
    expect((event!.details as { errors: unknown[] }).errors).toHaveLength(5);
  });

  it("records a refusal whose messages jsonb could not hold as they are: a NUL that JSON.parse quotes from the line, a surrogate pair the cut at 300 splits", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const good = JSON.stringify({ prompt: "Define: owl", response_a: "A night bird.", response_b: "A fish." });
    // V8 quotes the bad line in its message, NUL and all; the key's message is 1 + 1 + 2 x 200 characters before its cut.
    const nul = `{"prompt": x\u0000, "response_a": "x"}`;
    const splitPair = `{"prompt": "p", "response_a": "x", "response_b": "y", "a${"\u{1F600}".repeat(200)}\\u0000": 1}`;
    const result = await importFile({ campaignId: campaign.id, actorId: null, options: {}, file: file("unstorable-messages.jsonl", [good, nul, splitPair]) });
    expect(result).toMatchObject({ ok: false, errorCount: 2 });
    expect(result.errors[0]!.message).toContain("\u0000");
    const [event] = await db.select({ details: auditEvents.details }).from(auditEvents).where(and(eq(auditEvents.action, "campaign.import_refused"), eq(auditEvents.targetId, campaign.id)));
    const messages = (event!.details as { errors: { message: string }[] }).errors.map((e) => e.message);
    expect(messages[0]).toBe(result.errors[0]!.message.replace("\u0000", "\uFFFD"));
    expect(messages[1]).toHaveLength(300);
    expect(messages[1]!.endsWith("\uFFFD…")).toBe(true);
  });

  it("answers a refused file for a campaign that does not exist as no such campaign, and records nothing", async () => {
    const missing = randomUUID();
    await expect(importFile({ campaignId: missing, actorId: null, options: {}, file: file("bad-missing.jsonl", ["{not json"]) })).rejects.toMatchObject({ code: "not_found:campaign" });
    expect(await db.select().from(auditEvents).where(eq(auditEvents.targetId, missing))).toEqual([]);
  });

  it("refuses a campaign id that is not a uuid (the CLI passes what was typed) as no such campaign", async () => {
    const good = file("one.jsonl", [JSON.stringify({ prompt: "Define: owl", response_a: "A night bird.", response_b: "A fish." })]);
    await expect(importFile({ campaignId: "HC loop", actorId: null, options: {}, file: good })).rejects.toMatchObject({ code: "not_found:campaign", message: "No such campaign." });
  });

  it("imports pairs, K responses, TRL rows as gold, and message-list prompts; skips exact duplicates", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const lines = [
      JSON.stringify({ prompt: "Define: cat", response_a: "A small feline.", response_b: { text: "A dog.", source: "sft-v1" } }),
      JSON.stringify({ prompt: "Define: cat", response_a: "A small feline.", response_b: { text: "A dog.", source: "sft-v1" } }),
      JSON.stringify({ prompt: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content: "bye?" }], responses: ["bye", "see you", "ciao"] }),
      JSON.stringify({ prompt: "Define: sun", chosen: "Our star.", rejected: "A moon.", metadata: { origin: "hh" } }),
    ];
    const result = await importFile({ campaignId: campaign.id, actorId: null, options: { trlAs: "gold" }, file: file("good.jsonl", lines) });
    expect(result).toMatchObject({ ok: true, rows: 4, pairsCreated: 1 + 3 + 1, duplicatesSkipped: 1 });
    const rows = await db.select().from(pairs).where(eq(pairs.campaignId, campaign.id));
    expect(rows.filter((r) => r.goldChoice === "a")).toHaveLength(1);
    const [multi] = await db.execute<{ n: number }>(sql`select count(*)::int as n from prompts where campaign_id = ${campaign.id} and jsonb_typeof(content) = 'array'`);
    expect(multi!.n).toBe(1);
    const again = await importFile({ campaignId: campaign.id, actorId: null, options: { trlAs: "gold" }, file: file("good2.jsonl", lines) });
    expect(again).toMatchObject({ ok: true, pairsCreated: 0, duplicatesSkipped: 6 });
  });

  it("skips a pair whose A and B are swapped, in the campaign or earlier in the same file, and counts it as a duplicate", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const first = await importFile({
      campaignId: campaign.id,
      actorId: null,
      options: {},
      file: file("order.jsonl", [JSON.stringify({ prompt: "Define: owl", response_a: "A night bird.", response_b: "A fish.", gold: "a" })]),
    });
    expect(first).toMatchObject({ ok: true, pairsCreated: 1, duplicatesSkipped: 0 });
    // Line 1: the stored pair swapped. Lines 2 and 3: a new pair in both orders whose gold answers
    // disagree once un-swapped (line 2 says "A feline." is right, line 3 "A car."): the first
    // order and its gold are kept. Line 4 makes the same pair a third time, as car/feline.
    const swapped = await importFile({
      campaignId: campaign.id,
      actorId: null,
      options: {},
      file: file("swapped.jsonl", [
        JSON.stringify({ prompt: "Define: owl", response_a: "A fish.", response_b: "A night bird.", gold: "b" }),
        JSON.stringify({ prompt: "Define: cat", response_a: "A feline.", response_b: "A car.", gold: "a" }),
        JSON.stringify({ prompt: "Define: cat", response_a: "A car.", response_b: "A feline.", gold: "a" }),
        JSON.stringify({ prompt: "Define: cat", responses: ["A car.", "A feline.", "A cat."] }),
      ]),
    });
    expect(swapped).toMatchObject({ ok: true, rows: 4, pairsCreated: 3, duplicatesSkipped: 3 });
    const stored = await db.execute<{ prompt: string; a: string; b: string; gold: string | null }>(sql`
      select pr.content #>> '{}' as prompt, ra.text as a, rb.text as b, p.gold_choice as gold from pairs p
      join prompts pr on pr.id = p.prompt_id join responses ra on ra.id = p.response_a_id join responses rb on rb.id = p.response_b_id
      where p.campaign_id = ${campaign.id} order by 1, 2, 3`);
    expect(stored.map((r) => ({ ...r }))).toEqual([
      { prompt: "Define: cat", a: "A car.", b: "A cat.", gold: null },
      { prompt: "Define: cat", a: "A feline.", b: "A car.", gold: "a" },
      { prompt: "Define: cat", a: "A feline.", b: "A cat.", gold: null },
      { prompt: "Define: owl", a: "A night bird.", b: "A fish.", gold: "a" },
    ]);
  });

  it("reports a later row of a pair whose gold answer, read in the kept pair's A/B order, is another, in the file or against the campaign", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const row = (prompt: string, a: string, b: string, gold?: string) => JSON.stringify({ prompt, response_a: a, response_b: b, ...(gold ? { gold } : {}) });
    const first = await importFile({
      campaignId: campaign.id,
      actorId: null,
      options: {},
      file: file("conflicts.jsonl", [
        row("Define: owl", "A night bird.", "A fish.", "a"),
        row("Define: cat", "A feline.", "A car.", "a"),
        // Swapped, `a` is line 2's `b`: a conflict.
        row("Define: cat", "A car.", "A feline.", "a"),
        // The same answer in the same order, and in the other order: no conflict.
        row("Define: cat", "A feline.", "A car.", "a"),
        row("Define: owl", "A fish.", "A night bird.", "b"),
        // A tie reads the same either way.
        row("Define: sun", "Our star.", "A moon.", "tie"),
        row("Define: sun", "A moon.", "Our star.", "tie"),
        // A gold answer for a pair a row without one made: the answer is lost, so it is told.
        JSON.stringify({ prompt: "Define: sea", responses: ["Salt water.", "Sand."] }),
        row("Define: sea", "Sand.", "Salt water.", "b"),
        // A row without gold claims nothing: no conflict with line 2.
        row("Define: cat", "A car.", "A feline."),
      ]),
    });
    expect(first).toMatchObject({ ok: true, rows: 10, pairsCreated: 4, duplicatesSkipped: 6, goldConflictCount: 2 });
    expect(first.goldConflicts).toEqual([
      { line: 3, gold: "a", swapped: true, keptLine: 2, keptGold: "a" },
      { line: 9, gold: "b", swapped: true, keptLine: 8, keptGold: null },
    ]);
    const gold = await db.execute<{ prompt: string; gold: string | null }>(sql`
      select pr.content #>> '{}' as prompt, p.gold_choice as gold from pairs p join prompts pr on pr.id = p.prompt_id where p.campaign_id = ${campaign.id} order by 1`);
    expect(gold.map((g) => ({ ...g }))).toEqual([
      { prompt: "Define: cat", gold: "a" },
      { prompt: "Define: owl", gold: "a" },
      { prompt: "Define: sea", gold: null },
      { prompt: "Define: sun", gold: "tie" },
    ]);

    // Against the pairs the campaign holds: the stored answer stands, and a file that says otherwise is told.
    const again = await importFile({
      campaignId: campaign.id,
      actorId: null,
      options: {},
      file: file("conflicts-again.jsonl", [
        row("Define: owl", "A night bird.", "A fish.", "b"),
        row("Define: cat", "A car.", "A feline.", "b"),
        row("Define: sea", "Salt water.", "Sand.", "a"),
      ]),
    });
    expect(again).toMatchObject({ ok: true, pairsCreated: 0, duplicatesSkipped: 3, goldConflictCount: 2 });
    expect(again.goldConflicts).toEqual([
      { line: 1, gold: "b", swapped: false, keptLine: null, keptGold: "a" },
      { line: 3, gold: "a", swapped: false, keptLine: null, keptGold: null },
    ]);
  });

  it("keeps the first order of a pair when its swap comes 1,000 rows later, in another batch", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const filler = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ prompt: `Define: word ${i}`, response_a: `A word ${i}.`, response_b: `Not a word ${i}.` }));
    const result = await importFile({
      campaignId: campaign.id,
      actorId: null,
      options: {},
      file: file("far.jsonl", [
        JSON.stringify({ prompt: "Define: owl", response_a: "A night bird.", response_b: "A fish.", gold: "a" }),
        ...filler,
        JSON.stringify({ prompt: "Define: owl", response_a: "A fish.", response_b: "A night bird.", gold: "a" }),
      ]),
    });
    expect(result).toMatchObject({ ok: true, rows: 1002, pairsCreated: 1001, duplicatesSkipped: 1 });
    // Its gold `a`, swapped back to line 1's order, is `b`: the file contradicts itself, and is told so.
    expect(result).toMatchObject({ goldConflictCount: 1, goldConflicts: [{ line: 1002, gold: "a", swapped: true, keptLine: 1, keptGold: "a" }] });
    const owl = await db.execute<{ a: string; gold: string | null }>(sql`
      select ra.text as a, p.gold_choice as gold from pairs p join prompts pr on pr.id = p.prompt_id join responses ra on ra.id = p.response_a_id
      where p.campaign_id = ${campaign.id} and pr.content #>> '{}' = 'Define: owl'`);
    expect(owl.map((r) => ({ ...r }))).toEqual([{ a: "A night bird.", gold: "a" }]);
  });

  it("adds rows (generate-pairs' path) only once an import holding the campaign has committed, so the import's gold-conflict report sees every pair it competes with", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const row = { line: 1, prompt: "Define: ibis", pairs: [{ a: { text: "A wading bird.", source: "imported", metadata: {} }, b: { text: "A stone.", source: "imported", metadata: {} }, gold: null }] };
    let added = false;
    let adding: Promise<unknown> | null = null;
    await db.transaction(async (tx) => {
      await tx.execute(sql`select id from campaigns where id = ${campaign.id} for no key update`);
      adding = addRowsToCampaign({ campaignId: campaign.id, rows: [row] }).then(() => (added = true));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(added).toBe(false);
    });
    await adding;
    expect(added).toBe(true);
    const [stored] = await db.select({ n: count() }).from(pairs).where(eq(pairs.campaignId, campaign.id));
    expect(stored!.n).toBe(1);
  });

  it("adds rows (generate-pairs' path) keeping the first of a pair and its swap in one call, with its order and gold", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const response = (text: string) => ({ text, source: "imported", metadata: {} });
    const result = await addRowsToCampaign({
      campaignId: campaign.id,
      rows: [
        { line: 1, prompt: "Define: crane", pairs: [{ a: response("A wading bird."), b: response("A lifting machine."), gold: "a" }] },
        { line: 2, prompt: "Define: crane", pairs: [{ a: response("A lifting machine."), b: response("A wading bird."), gold: "a" }] },
      ],
    });
    expect(result).toEqual({ created: 1, attempted: 2 });
    const stored = await db.execute<{ a: string; gold: string | null }>(sql`
      select ra.text as a, p.gold_choice as gold from pairs p join responses ra on ra.id = p.response_a_id where p.campaign_id = ${campaign.id}`);
    expect(stored.map((r) => ({ ...r }))).toEqual([{ a: "A wading bird.", gold: "a" }]);
  });

  it("adds one pair when two writers add a pair and its swap at once (the database's index decides, not the writers)", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const row = (a: string, b: string) => ({ line: 1, prompt: "Define: heron", pairs: [{ a: { text: a, source: "imported", metadata: {} }, b: { text: b, source: "imported", metadata: {} }, gold: null }] });
    // The prompt and both responses exist already; the writers take turns on the campaign's row,
    // and the second's insert is skipped by the unique index on the unordered pair, not by a check of its own.
    await addRowsToCampaign({ campaignId: campaign.id, rows: [row("A wading bird.", "A stone."), row("A fish.", "A stone.")] });
    const results = await Promise.all([
      addRowsToCampaign({ campaignId: campaign.id, rows: [row("A wading bird.", "A fish.")] }),
      addRowsToCampaign({ campaignId: campaign.id, rows: [row("A fish.", "A wading bird.")] }),
    ]);
    expect(results.map((r) => r.created).sort()).toEqual([0, 1]);
    expect(results.map((r) => r.attempted)).toEqual([1, 1]);
    const [stored] = await db.select({ n: count() }).from(pairs).where(eq(pairs.campaignId, campaign.id));
    expect(stored!.n).toBe(3);
  });

  it("reads CSV with quoted commas, newlines and JSON cells", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const csv = file("pairs.csv", [
      "prompt,response_a,response_b,metadata",
      `"Say ""hi"", politely","Hello, there.","Hi!\nHow are you?","{""batch"":1}"`,
      `plain,a,b,`,
    ]);
    const result = await importFile({ campaignId: campaign.id, actorId: null, options: { format: "csv" }, file: csv });
    expect(result).toMatchObject({ ok: true, rows: 2, pairsCreated: 2 });
    const texts = (await db.select({ t: responses.text }).from(responses).innerJoin(prompts, eq(prompts.id, responses.promptId)).where(eq(prompts.campaignId, campaign.id))).map((r) => r.t);
    expect(texts).toContain("Hi!\nHow are you?");
  });

  it("refuses a binary file with one message, but names the lines of a text file with a few broken bytes", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const good = JSON.stringify({ prompt: "p", response_a: "a", response_b: "b" });
    const write = (name: string, bytes: Buffer) => {
      writeFileSync(path.join(dir, name), bytes);
      return path.join(dir, name);
    };
    // A PNG's header holds NUL bytes; its data would read as a hundred lines of broken UTF-8.
    const png = write("picture.png", Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), Buffer.from(Array.from({ length: 4000 }, (_, i) => (i % 40 === 0 ? 0x0a : 0x80 + (i % 100))))]));
    const utf16 = write("utf16.jsonl", Buffer.from(`${good}\n`, "utf16le"));
    for (const binary of [png, utf16]) {
      await expect(importFile({ campaignId: campaign.id, actorId: null, options: {}, file: binary })).rejects.toMatchObject({ code: "bad_request:binary_import", message: expect.stringMatching(/not UTF-8 text/) });
    }
    const latin1 = write("latin1.jsonl", Buffer.concat([Buffer.from(`${good}\n`), Buffer.from(`${JSON.stringify({ prompt: "caf\u00e9", response_a: "a", response_b: "b" })}\n`, "latin1"), Buffer.from(`${good}\n`)]));
    const result = await importFile({ campaignId: campaign.id, actorId: null, options: {}, file: latin1 });
    expect(result).toMatchObject({ ok: false, errorCount: 1, errors: [{ line: 2, message: "The line is not valid UTF-8." }] });
  });

  it("lets a labeler's judgment in the campaign through while a large import into it is still writing", async () => {
    const { campaign } = await makeCampaign({ pairCount: 2, overlap: 1 });
    const labeler = await makeUser("labeler");
    const [task] = await leaseTasks({ campaign, labeler, count: 1 });
    const rows = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ prompt: `Define: word ${i}`, response_a: `A word ${i}.`, response_b: `Not a word ${i}.` }));
    const importing = importFile({ campaignId: campaign.id, actorId: null, options: {}, file: file("big.jsonl", rows) });
    // Once the file is checked, the import's transaction holds the campaign: a try for its row without waiting then fails.
    const held = async () =>
      db
        .transaction((tx) => tx.execute(sql`select id from campaigns where id = ${campaign.id} for update nowait`))
        .then(() => false, (err: { cause?: { code?: string } }) => err.cause?.code === "55P03");
    await expect.poll(held, { timeout: 60_000, interval: 20 }).toBe(true);
    await submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: task!.assignmentId, choice: "left", strength: 2 } });
    // Stored while the import was still writing: none of its pairs are committed yet.
    const [stored] = await db.select({ n: count() }).from(pairs).where(eq(pairs.campaignId, campaign.id));
    expect(stored!.n).toBe(2);
    expect(await importing).toMatchObject({ ok: true, pairsCreated: 20_000 });
  });

  it("reports a CSV quoting error with its line", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const result = await importFile({
      campaignId: campaign.id,
      actorId: null,
      options: { format: "csv" },
      file: file("broken.csv", ["prompt,response_a,response_b", "a,b,c", `"unclosed,b,c`]),
    });
    expect(result.ok).toBe(false);
    expect(result.errors[0]!.message).toMatch(/CSV/);
  });

  it("imports extra columns and reports them, but refuses a look-alike of a missing key so no gold answer is lost", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const before = await tableCounts();
    // `gold_choice` where `gold` was meant, on lines 2 and 4; the ids and sources are extra on purpose.
    const misspelt = file("gold-choice.jsonl", [
      JSON.stringify({ id: 1, prompt: "Define: owl", response_a: "A night bird.", response_b: "A fish.", source: "wordnet" }),
      JSON.stringify({ id: 2, prompt: "Define: cat", response_a: "A feline.", response_b: "A car.", gold_choice: "a" }),
      JSON.stringify({ id: 3, prompt: "Define: sun", response_a: { text: "Our star.", model: "sft-v1" }, response_b: "A moon." }),
      JSON.stringify({ id: 4, prompt: "Define: sea", response_a: "Salt water.", response_b: "Sand.", gold_choice: "a" }),
    ]);
    const refused = await importFile({ campaignId: campaign.id, actorId: null, options: {}, file: misspelt });
    expect(refused).toMatchObject({ ok: false, rows: 4, pairsCreated: 0, errorCount: 2 });
    // Both bad lines are bad for the one key: said once, with their lines.
    expect(refused.errors).toEqual([{ line: 2, rows: 2, message: expect.stringMatching(/^2 of 4 rows \(lines 2, 4\) have `gold_choice`: did you mean `gold`\? Rename the key/) }]);
    // The good lines' extra keys are still listed, so the next try holds no surprise.
    expect(refused.ignoredKeys).toEqual([
      { key: "id", rows: 2, firstLine: 1, suggestion: null },
      { key: "source", rows: 1, firstLine: 1, suggestion: null },
      { key: "response_a.model", rows: 1, firstLine: 3, suggestion: null },
    ]);
    expect(await tableCounts()).toEqual(before);

    // Renamed to `gold`, the file imports, with its gold answers, and the extra columns are reported.
    const fixed = file("gold.jsonl", [
      JSON.stringify({ id: 1, prompt: "Define: owl", response_a: "A night bird.", response_b: "A fish.", source: "wordnet" }),
      JSON.stringify({ id: 2, prompt: "Define: cat", response_a: "A feline.", response_b: "A car.", gold: "a" }),
      JSON.stringify({ id: 3, prompt: "Define: sun", response_a: { text: "Our star.", model: "sft-v1" }, response_b: "A moon." }),
    ]);
    const result = await importFile({ campaignId: campaign.id, actorId: null, options: {}, file: fixed });
    expect(result).toEqual({
      ok: true,
      rows: 3,
      pairsCreated: 3,
      duplicatesSkipped: 0,
      goldConflictCount: 0,
      goldConflicts: [],
      errorCount: 0,
      errors: [],
      ignoredKeys: [
        { key: "id", rows: 3, firstLine: 1, suggestion: null },
        { key: "source", rows: 1, firstLine: 1, suggestion: null },
        { key: "response_a.model", rows: 1, firstLine: 3, suggestion: null },
      ],
    });
    const gold = await db.select({ g: pairs.goldChoice }).from(pairs).where(eq(pairs.campaignId, campaign.id));
    expect(gold.map((g) => g.g).sort()).toEqual(["a", null, null]);
  });

  it("refuses a CSV whose header spells a key otherwise, and reports an extra column of the rows that have a value in it", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const spelt = await importFile({ campaignId: campaign.id, actorId: null, options: { format: "csv" }, file: file("spelt.csv", ["Prompt,Response A,response-b", "p,a,b"]) });
    expect(spelt).toMatchObject({
      ok: false,
      errors: [{ line: 2, message: "Expected {prompt, response_a, response_b}, {prompt, responses: [...]} or {prompt, chosen, rejected}. Did you mean `prompt` for `Prompt`, `response_a` for `Response A`, `response_b` for `response-b`?" }],
    });
    const extra = await importFile({ campaignId: campaign.id, actorId: null, options: { format: "csv" }, file: file("extra.csv", ["prompt,response_a,response_b,batch", "p1,a,b,", "p2,a,b,7", "p3,a,b,8"]) });
    expect(extra).toMatchObject({ ok: true, pairsCreated: 3, ignoredKeys: [{ key: "batch", rows: 2, firstLine: 3, suggestion: null }] });
  });

  it("says once for the file that every row has the same look-alike key, and line by line when the lines are bad for different reasons", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const rows = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ prompt: `Define: word ${i}`, response_a: `A word ${i}.`, response_b: "A fish.", gold_choice: "a" }));
    const every = await importFile({ campaignId: campaign.id, actorId: null, options: {}, file: file("every-gold-choice.jsonl", rows) });
    expect(every).toMatchObject({ ok: false, rows: 5000, errorCount: 5000, pairsCreated: 0 });
    expect(every.errors).toEqual([
      {
        line: 1,
        rows: 5000,
        message: "Every row has `gold_choice`: did you mean `gold`? Rename the key in the file (a key this close to one Pairwise reads is refused rather than ignored, so its values are not dropped).",
      },
    ]);

    // A CSV whose header spells the columns otherwise: every row matches no shape, for the same keys.
    const csv = await importFile({ campaignId: campaign.id, actorId: null, options: { format: "csv" }, file: file("spelt-header.csv", ["Prompt,Response A,Response B", "p1,a,b", "p2,a,b", "p3,a,b"]) });
    expect(csv.errors).toEqual([
      {
        line: 2,
        rows: 3,
        message:
          "Every row has `Prompt` (did you mean `prompt`?), `Response A` (did you mean `response_a`?), `Response B` (did you mean `response_b`?). Rename the keys in the file (a key this close to one Pairwise reads is refused rather than ignored, so its values are not dropped).",
      },
    ]);

    // Another reason on one line: the look-alike's lines are still told once, and the odd line by itself.
    const mixed = await importFile({ campaignId: campaign.id, actorId: null, options: {}, file: file("mixed.jsonl", [...rows.slice(0, 3), "{oops"]) });
    expect(mixed.errors.map((e) => [e.line, e.rows])).toEqual([
      [1, 3],
      [4, undefined],
    ]);
    expect(mixed.errors[0]!.message).toMatch(/^3 of 4 rows \(lines 1, 2, 3\) have `gold_choice`: did you mean `gold`\?/);
    expect(mixed.errors[1]!.message).toMatch(/^Not valid JSON/);
    // Rows that match no shape and also have a look-alike: renaming it would not make them a pair, so they are not
    // told as "rename `Gold`" beside rows for which that is the whole fix, and their own reason is not lost.
    const golden = (i: number) => JSON.stringify({ prompt: `p${i}`, response_a: "a", response_b: "b", Gold: "a" });
    const shapeless = (i: number) => JSON.stringify({ prompt: `q${i}`, answer_a: "a", answer_b: "b", Gold: "a" });
    const both = await importFile({ campaignId: campaign.id, actorId: null, options: {}, file: file("both.jsonl", [golden(1), golden(2), shapeless(3), shapeless(4)]) });
    expect(both.errors).toEqual([
      {
        line: 1,
        rows: 2,
        message:
          "2 of 4 rows (lines 1, 2) have `Gold`: did you mean `gold`? Rename the key in the file (a key this close to one Pairwise reads is refused rather than ignored, so its values are not dropped).",
      },
      {
        line: 3,
        rows: 2,
        message: "2 of 4 rows (lines 3, 4): Expected {prompt, response_a, response_b}, {prompt, responses: [...]} or {prompt, chosen, rejected}. Did you mean `gold` for `Gold`?",
      },
    ]);
    const twoKeys = await importFile({ campaignId: campaign.id, actorId: null, options: {}, file: file("two-keys.jsonl", [rows[0]!, JSON.stringify({ prompt: "p", response_a: "a", response_b: "b", Gold: "a" })]) });
    expect(twoKeys.errors.map((e) => e.message.split(":")[0])).toEqual(["Unknown key `gold_choice` (did you mean `gold`?)", "Unknown key `Gold` (did you mean `gold`?)"]);
  });

  it("says once for the file that every row is bad for the same reason, whatever the reason, and names an odd line beside it", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const before = await tableCounts();
    const rows = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ prompt: `Define: word ${i}`, response_a: `A word ${i}.` }));
    const every = await importFile({ campaignId: campaign.id, actorId: null, options: {}, file: file("no-response-b.jsonl", rows) });
    expect(every).toMatchObject({ ok: false, rows: 5000, errorCount: 5000, pairsCreated: 0 });
    expect(every.errors).toEqual([{ line: 1, rows: 5000, message: "Every row: response_b: is required" }]);

    // A CSV whose header matches no row shape (and looks like no known key): every row says the same.
    const csv = await importFile({ campaignId: campaign.id, actorId: null, options: { format: "csv" }, file: file("question.csv", ["question,first,second", "q1,a,b", "q2,a,b", "q3,a,b"]) });
    expect(csv.errors).toEqual([{ line: 2, rows: 3, message: "Every row: Expected {prompt, response_a, response_b}, {prompt, responses: [...]} or {prompt, chosen, rejected}." }]);

    // 4,999 rows for one reason and one other bad line, past the first 100: the odd line is named, not lost behind 100 identical ones.
    const odd = await importFile({ campaignId: campaign.id, actorId: null, options: {}, file: file("odd.jsonl", [...rows.slice(0, 2499), "{oops", ...rows.slice(2500)]) });
    expect(odd).toMatchObject({ ok: false, errorCount: 5000 });
    expect(odd.errors).toEqual([
      { line: 1, rows: 4999, message: "4999 of 5000 rows (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, …): response_b: is required" },
      { line: 2500, message: "Not valid JSON (Expected property name or '}' in JSON at position 1)." },
    ]);

    // Only the same message is the same reason: JSON errors that quote their lines differ, and stay a line each.
    const quoted = await importFile({ campaignId: campaign.id, actorId: null, options: {}, file: file("quoted.jsonl", ["nope", "nah", "nope"]) });
    expect(quoted.errors).toEqual([
      { line: 1, rows: 2, message: `2 of 3 rows (lines 1, 3): Not valid JSON (Unexpected token 'o', "nope" is not valid JSON).` },
      { line: 2, message: `Not valid JSON (Unexpected token 'a', "nah" is not valid JSON).` },
    ]);
    expect(await tableCounts()).toEqual(before);
  });

  it("refuses a chat message's look-alike key naming the message, and imports and lists a message's extra key", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const conversation = (second: Record<string, unknown>) => [{ role: "system", content: "Answer in one line." }, second];
    const misspelt = await importFile({
      campaignId: campaign.id,
      actorId: null,
      options: {},
      file: file("messages-misspelt.jsonl", [
        JSON.stringify({ prompt: conversation({ role: "user", content: "Define: owl" }), response_a: "A night bird.", response_b: "A fish." }),
        JSON.stringify({ prompt: conversation({ Role: "user", contnet: "Define: cat" }), response_a: "A feline.", response_b: "A car." }),
      ]),
    });
    expect(misspelt).toMatchObject({ ok: false, errorCount: 1 });
    expect(misspelt.errors).toEqual([
      {
        line: 2,
        message:
          "Unknown keys `prompt[1].Role` (did you mean `prompt[1].role`?), `prompt[1].contnet` (did you mean `prompt[1].content`?): a key this close to one Pairwise reads is refused rather than ignored, so its values are not dropped; rename it, or remove it.",
      },
    ]);

    const extra = await importFile({
      campaignId: campaign.id,
      actorId: null,
      options: { trlAs: "gold" },
      file: file("messages-extra.jsonl", [
        JSON.stringify({ prompt: conversation({ role: "user", content: "Define: owl", name: "ann" }), response_a: "A night bird.", response_b: "A fish." }),
        // TRL's conversational form, as Pairwise's own TRL export writes it.
        JSON.stringify({ prompt: conversation({ role: "user", content: "Define: cat" }), chosen: [{ role: "assistant", content: "A feline." }], rejected: [{ role: "assistant", content: "A car." }] }),
      ]),
    });
    expect(extra).toMatchObject({ ok: true, pairsCreated: 2, ignoredKeys: [{ key: "prompt[].name", rows: 1, firstLine: 1, suggestion: null }] });
    const stored = await db.select({ content: prompts.content }).from(prompts).where(eq(prompts.campaignId, campaign.id));
    expect(stored.map((p) => p.content)).toContainEqual(conversation({ role: "user", content: "Define: owl" }));
  });

  it("records the keys it left out, the duplicates skipped and the gold answers not kept in the import's audit event", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const lines = Array.from({ length: 3 }, (_, i) => JSON.stringify({ prompt: `Define: word ${i}`, response_a: "a", response_b: "b", foo: i, ...(i === 2 ? { response_b: { text: "b", model: "m" } } : {}) }));
    // The first pair again, swapped, with a gold answer the kept row lacks.
    lines.push(JSON.stringify({ prompt: "Define: word 0", response_a: "b", response_b: "a", gold: "a" }));
    const result = await importFile({ campaignId: campaign.id, actorId: null, options: {}, file: file("foo.jsonl", lines) });
    expect(result).toMatchObject({ ok: true, pairsCreated: 3, duplicatesSkipped: 1, goldConflictCount: 1 });
    const [event] = await db.select({ details: auditEvents.details }).from(auditEvents).where(and(eq(auditEvents.action, "campaign.imported"), eq(auditEvents.targetId, campaign.id)));
    expect(event!.details).toEqual({
      rows: 4,
      pairsCreated: 3,
      duplicatesSkipped: 1,
      goldConflictCount: 1,
      ignoredKeys: [
        { key: "foo", rows: 3 },
        { key: "response_b.model", rows: 1 },
      ],
    });

    // A file keyed by ids has a key per row: the event keeps the first 20 and counts the rest.
    const other = await makeCampaign({ pairCount: 0 });
    const wide = Array.from({ length: 30 }, (_, i) => JSON.stringify({ prompt: `p${i}`, response_a: "a", response_b: "b", [`col_${i}`]: 1 }));
    await importFile({ campaignId: other.campaign.id, actorId: null, options: {}, file: file("wide.jsonl", wide) });
    const [wideEvent] = await db.select({ details: auditEvents.details }).from(auditEvents).where(and(eq(auditEvents.action, "campaign.imported"), eq(auditEvents.targetId, other.campaign.id)));
    expect(wideEvent!.details).toMatchObject({ rows: 30, ignoredKeysNotListed: 10 });
    expect((wideEvent!.details as { ignoredKeys: unknown[] }).ignoredKeys).toHaveLength(20);
    expect((wideEvent!.details as { ignoredKeys: unknown[] }).ignoredKeys[19]).toEqual({ key: "col_19", rows: 1 });

    // Past the 100 keys the result lists, the event still counts every other key: 150 keys, 20 listed, 130 more.
    const wider = await makeCampaign({ pairCount: 0 });
    const widerRows = Array.from({ length: 160 }, (_, i) => JSON.stringify({ prompt: `p${i}`, response_a: "a", response_b: "b", [`col_${i % 150}`]: 1 }));
    const widerResult = await importFile({ campaignId: wider.campaign.id, actorId: null, options: {}, file: file("wider.jsonl", widerRows) });
    expect(widerResult.ignoredKeys).toHaveLength(100);
    const [widerEvent] = await db.select({ details: auditEvents.details }).from(auditEvents).where(and(eq(auditEvents.action, "campaign.imported"), eq(auditEvents.targetId, wider.campaign.id)));
    expect(widerEvent!.details).toMatchObject({ rows: 160, ignoredKeysNotListed: 130 });
    expect((widerEvent!.details as { ignoredKeys: unknown[] }).ignoredKeys[0]).toEqual({ key: "col_0", rows: 2 });
  });
});
