import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db, type Database } from "@/db/client";
import { assignments, campaigns, comparisons, pairs as pairTable, responses, users, type User } from "@/db/schema";
import { choiceValues } from "@/db/values";
import { campaignDto } from "@/lib/campaigns/campaigns";
import { addRowsToCampaign } from "@/lib/imports/import";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { makeUser } from "@/lib/testing/fixtures";
import { createRng } from "@/trainer/rng";
import { campaignQuality, labelerStats } from "./quality";
import { compareKeptQuality, keptQuality, recountQuality } from "./quality-recount";
import { editJudgment, leaseTasks, submitJudgment, undoJudgment } from "./queue";

/** The shared client, or a transaction to read inside. */
type Reader = Pick<Database, "execute">;

async function expectKeptToMatchRecount(campaignId: string, step: string, on: Reader = db) {
  const [k, r] = [await keptQuality({ campaignId, on }), await recountQuality({ campaignId, on })];
  expect({ step, ...k }).toEqual({ step, ...r });
}

type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Runs `fn` in a transaction that is then rolled back. A TRUNCATE empties the table for every
 * campaign in the database, which the test files share; rolled back, the other tests' rows come
 * back as they were.
 */
async function rolledBack(fn: (tx: Transaction) => Promise<void>) {
  const rollback = new Error("rolled back on purpose");
  await db
    .transaction(async (tx) => {
      await fn(tx);
      throw rollback;
    })
    .catch((err: unknown) => {
      if (err !== rollback) throw err;
    });
}

/** Kept rows, of any campaign, that still count something: none after every judgment and pair is gone. */
async function anythingKept(on: Reader) {
  const [row] = await on.execute<{ pair_counts: number; pairs: number; kinds: number; labelers: number }>(sql`select
    (select count(*) from (select 1 from campaign_pair_counts group by campaign_id, judgment_count having sum(pairs) <> 0) k)::int as pair_counts,
    (select count(*) from campaign_quality_pairs)::int as pairs,
    (select count(*) from (select 1 from campaign_quality_kinds group by campaign_id, longer, outcomes having sum(pairs) <> 0 or sum(picked_left) <> 0) k)::int as kinds,
    (select count(*) from campaign_quality_labelers where judgments <> 0 or gold_answered <> 0 or agreement_checked <> 0)::int as labelers`);
  return row;
}

describe("campaign quality kept by the database (real Postgres)", () => {
  it("keeps every figure equal to a recount through single and bulk writes, edits, undos, time changes and deletions", async () => {
    const rng = createRng(7);
    const int = (n: number) => Math.floor(rng.next() * n);
    const pick = <T>(items: readonly T[]) => items[int(items.length)]!;
    const { campaign, pairs } = await makeCampaign({ pairCount: 14, gold: ["a", "tie"] });
    // The fixture makes B the longer; make some A longer and some level.
    for (const [i, p] of pairs.entries()) {
      if (i % 3 === 1) await db.update(responses).set({ text: "the longest answer of all" }).where(sql`id = ${p.responseAId}`);
      if (i % 3 === 2) await db.update(responses).set({ text: "x".repeat(10) }).where(sql`id in (${p.responseAId}, ${p.responseBId})`);
    }
    const labelers: User[] = [];
    for (let i = 0; i < 6; i++) labelers.push(await makeUser());
    // Few distinct times, so that medians fall between equal times and the order by id decides.
    const times = [1000, 2000, 2000, 3000, 5000, 8000];
    const judgment = (pairId: string, labelerId: string, assignmentId: string) => {
      const pair = pairs.find((p) => p.id === pairId)!;
      const choice = pick(choiceValues);
      return {
        clientSubmissionId: randomUUID(),
        assignmentId,
        campaignId: campaign.id,
        pairId,
        labelerId,
        choice,
        strength: choice === "a" || choice === "b" ? pick([null, 1, 2, 3, 4]) : null,
        shownOrder: pick(["ab", "ba"] as const),
        serverMs: pick(times),
        goldCorrect: pair.goldChoice === null ? null : pair.goldChoice === choice,
      };
    };
    const free = async () => {
      const taken = new Set((await db.select({ p: comparisons.pairId, l: comparisons.labelerId }).from(comparisons).where(sql`campaign_id = ${campaign.id}`)).map((r) => `${r.p}|${r.l}`));
      return pairs.flatMap((p) => labelers.filter((l) => !taken.has(`${p.id}|${l.id}`)).map((l) => ({ pairId: p.id, labelerId: l.id })));
    };
    const insert = async (slots: { pairId: string; labelerId: string }[]) => {
      if (slots.length === 0) return;
      // One assignment per (pair, labeler) ever: reuse the one an earlier, deleted judgment left.
      const leased = await db
        .insert(assignments)
        .values(slots.map((s) => ({ campaignId: campaign.id, pairId: s.pairId, labelerId: s.labelerId, status: "completed" as const, shownOrder: "ab" as const, expiresAt: new Date() })))
        .onConflictDoUpdate({ target: [assignments.pairId, assignments.labelerId], set: { status: "completed" } })
        .returning({ id: assignments.id });
      await db.insert(comparisons).values(slots.map((s, i) => judgment(s.pairId, s.labelerId, leased[i]!.id)));
    };
    const judged = async () => db.select().from(comparisons).where(sql`campaign_id = ${campaign.id}`);
    // Counts kept in step the way the app keeps them: one statement over the pairs.
    const syncCounts = () =>
      db.execute(sql`update pairs p set judgment_count = (select count(*) from comparisons c where c.pair_id = p.id) where p.campaign_id = ${campaign.id}`);

    const ops: Record<string, () => Promise<unknown>> = {
      "insert one": async () => insert([pick(await free())].filter(Boolean)),
      "insert several in one statement": async () => insert((await free()).sort(() => rng.next() - 0.5).slice(0, 2 + int(7))),
      "edit one": async () => {
        const c = pick(await judged());
        const next = judgment(c.pairId, c.labelerId, c.assignmentId);
        await db.update(comparisons).set({ choice: next.choice, strength: next.strength, goldCorrect: next.goldCorrect }).where(sql`id = ${c.id}`);
      },
      "change one's time": async () => db.update(comparisons).set({ serverMs: pick(times) + int(3) }).where(sql`id = ${pick(await judged()).id}`),
      "change many in one statement": async () =>
        db.execute(sql`update comparisons set strength = 1 + coalesce(strength, 0) % 4, server_ms = server_ms + 500
          where campaign_id = ${campaign.id} and choice in ('a', 'b') and labeler_id = ${pick(labelers).id}`),
      "undo one": async () => db.delete(comparisons).where(sql`id = ${pick(await judged()).id}`),
      "delete a labeler's in one statement": async () => db.delete(comparisons).where(sql`campaign_id = ${campaign.id} and labeler_id = ${pick(labelers).id}`),
    };
    const names = Object.keys(ops);
    for (let step = 0; step < 120; step++) {
      // Mostly single judgments, as labelers write them; the rest now and then.
      const name = step < 20 || rng.next() < 0.4 ? "insert one" : pick(names);
      if ((await judged()).length > 0 || name.startsWith("insert")) await ops[name]!();
      await syncCounts();
      await expectKeptToMatchRecount(campaign.id, `${step}: ${name}`);
    }
    expect((await judged()).length).toBeGreaterThan(20);

    // A user deleted takes their judgments with them; others' agreement changes with it.
    const [gone] = labelers;
    await db.delete(users).where(sql`id = ${gone!.id}`);
    await syncCounts();
    await expectKeptToMatchRecount(campaign.id, "labeler deleted");
    // A pair deleted (its judgments by cascade) leaves its kind.
    await db.execute(sql`delete from pairs where id = (select pair_id from comparisons where campaign_id = ${campaign.id} and gold_correct is null limit 1)`);
    await expectKeptToMatchRecount(campaign.id, "pair deleted");
    // New pairs from an import count as open pairs at once.
    const response = (text: string) => ({ text, source: "imported", metadata: {} });
    await addRowsToCampaign({ campaignId: campaign.id, rows: [{ line: 1, prompt: "new", pairs: [{ a: response("one"), b: response("two"), gold: null }, { a: response("three"), b: response("four four"), gold: null }] }] });
    await expectKeptToMatchRecount(campaign.id, "pairs imported");

    // What the page shows comes from those rows: its completion, and the campaign's own counts.
    const quality = await campaignQuality({ campaignId: campaign.id });
    const counted = await recountQuality({ campaignId: campaign.id });
    const sumPairs = (rows: typeof counted.pairCounts) => rows.reduce((s, r) => s + Number(r.pairs), 0);
    expect(quality.pairs).toBe(sumPairs(counted.pairCounts));
    expect(quality.completePairs).toBe(sumPairs(counted.pairCounts.filter((r) => Number(r.judgment_count) >= campaign.overlap)));
    expect(await campaignDto({ campaignId: campaign.id })).toMatchObject({ pairCount: quality.pairs, completedPairs: quality.completePairs });
    expect(quality.labelers.map((l) => l.judgments).sort()).toEqual(counted.labelers.map((l) => l.judgments).sort());

    // Deleting the campaign removes its rows and nothing refuses the cascade.
    await db.delete(campaigns).where(sql`id = ${campaign.id}`);
    const [left] = await db.execute<{ n: number }>(sql`
      select (select count(*) from campaign_pair_counts where campaign_id = ${campaign.id}) + (select count(*) from campaign_quality_kinds where campaign_id = ${campaign.id})
           + (select count(*) from campaign_quality_labelers where campaign_id = ${campaign.id}) + (select count(*) from campaign_quality_pairs where campaign_id = ${campaign.id}) as n`);
    expect(Number(left!.n)).toBe(0);
  }, 120_000);

  it("stays equal to a recount while 12 labelers submit, edit and undo at once through the queue", async () => {
    const { campaign } = await makeCampaign({ pairCount: 24, overlap: 4, settings: { askStrength: true, allowTie: true, allowBothBad: true, undoMinutes: 10 } });
    const labelers = await Promise.all(Array.from({ length: 12 }, () => makeUser("labeler")));
    const shown = ["left", "right", "tie", "both_bad"] as const;
    let written = 0;
    await Promise.all(
      labelers.map(async (labeler, i) => {
        const rng = createRng(100 + i);
        const pick = <T>(items: readonly T[]) => items[Math.floor(rng.next() * items.length)]!;
        const input = () => {
          const choice = pick(shown);
          return { choice, strength: choice === "left" || choice === "right" ? 1 + Math.floor(rng.next() * 4) : null };
        };
        for (;;) {
          const [task] = await leaseTasks({ campaign, labeler, count: 1 });
          if (!task) return;
          const j = await submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: task.assignmentId, ...input() } });
          written++;
          const r = rng.next();
          if (r < 0.15) await editJudgment({ labeler, campaign, judgmentId: j.id, input: { ...input(), rationale: null } });
          // An undo gives the task back, and the next lease serves it again.
          else if (r < 0.25) await undoJudgment({ labeler, campaign, judgmentId: j.id });
        }
      }),
    );
    expect(written).toBeGreaterThanOrEqual(96);
    await expectKeptToMatchRecount(campaign.id, "after the rush");
    const quality = await campaignQuality({ campaignId: campaign.id });
    expect(quality).toMatchObject({ pairs: 24, completePairs: 24, judgments: 96 });
    // The labeler's own page sums their kept agreement over campaigns.
    const [one] = labelers;
    const row = (await recountQuality({ campaignId: campaign.id })).labelers.find((l) => l.labeler_id === one!.id)!;
    expect((await labelerStats({ labelerId: one!.id })).agreementWithMajority).toBe(row.checked ? row.agreed / row.checked : null);
  }, 120_000);

  it("counts every figure again after a TRUNCATE of comparisons, and of pairs or prompts with CASCADE", async () => {
    const rng = createRng(11);
    const pick = <T>(items: readonly T[]) => items[Math.floor(rng.next() * items.length)]!;
    const built = [await makeCampaign({ pairCount: 6, gold: ["a"] }), await makeCampaign({ pairCount: 5, gold: ["tie"] })];
    for (const [i, p] of built[0]!.pairs.entries()) {
      if (i % 2 === 1) await db.update(responses).set({ text: "the longest answer of all" }).where(sql`id = ${p.responseAId}`);
    }
    const labelers = [await makeUser(), await makeUser(), await makeUser(), await makeUser()];
    // Most of the (pair, labeler) slots judged, in one statement, and the pairs' counts kept in step.
    const judgeSome = async (on: Transaction, { campaign, pairs }: (typeof built)[number]) => {
      const slots = pairs.flatMap((pair) => labelers.filter(() => rng.next() < 0.7).map((labeler) => ({ pair, labelerId: labeler.id })));
      const leased = await on
        .insert(assignments)
        .values(slots.map((s) => ({ campaignId: campaign.id, pairId: s.pair.id, labelerId: s.labelerId, status: "completed" as const, shownOrder: "ab" as const, expiresAt: new Date() })))
        .onConflictDoUpdate({ target: [assignments.pairId, assignments.labelerId], set: { status: "completed" } })
        .returning({ id: assignments.id });
      await on.insert(comparisons).values(
        slots.map((s, i) => {
          const choice = pick(choiceValues);
          return {
            clientSubmissionId: randomUUID(),
            assignmentId: leased[i]!.id,
            campaignId: campaign.id,
            pairId: s.pair.id,
            labelerId: s.labelerId,
            choice,
            strength: choice === "a" || choice === "b" ? pick([null, 1, 2, 3, 4]) : null,
            shownOrder: pick(["ab", "ba"] as const),
            serverMs: pick([1000, 2000, 3000, 5000]),
            goldCorrect: s.pair.goldChoice === null ? null : s.pair.goldChoice === choice,
          };
        }),
      );
      await on.execute(sql`update pairs p set judgment_count = (select count(*) from comparisons c where c.pair_id = p.id) where p.campaign_id = ${campaign.id}`);
      return slots.length;
    };
    const expectBothToMatch = async (on: Reader, step: string) => {
      for (const { campaign } of built) await expectKeptToMatchRecount(campaign.id, `${step}, ${campaign.name}`, on);
    };
    await db.transaction(async (tx) => {
      for (const b of built) await judgeSome(tx, b);
    });
    await expectBothToMatch(db, "before");
    const stored = async () => (await db.execute<{ n: number }>(sql`select count(*)::int as n from comparisons`))[0]!.n;
    const storedBefore = await stored();
    expect((await keptQuality({ campaignId: built[0]!.campaign.id })).labelers.length).toBeGreaterThan(0);

    await rolledBack(async (tx) => {
      await tx.execute(sql`truncate comparisons`);
      // Every pair is back at no judgments, and nothing else counts anything.
      expect(await tx.execute(sql`select count(*)::int as n from pairs where judgment_count <> 0`)).toEqual([{ n: 0 }]);
      expect(await anythingKept(tx)).toMatchObject({ pairs: 0, kinds: 0, labelers: 0 });
      expect((await keptQuality({ campaignId: built[0]!.campaign.id, on: tx })).pairCounts).toEqual([{ judgment_count: 0, pairs: 6 }]);
      await expectBothToMatch(tx, "comparisons truncated");
      // The triggers count the judgments written after it as before.
      expect(await judgeSome(tx, built[0]!)).toBeGreaterThan(0);
      await expectBothToMatch(tx, "judged after the truncate");
    });

    await rolledBack(async (tx) => {
      await tx.execute(sql`truncate pairs cascade`);
      expect(await anythingKept(tx)).toEqual({ pair_counts: 0, pairs: 0, kinds: 0, labelers: 0 });
      await expectBothToMatch(tx, "pairs truncated");
      // The same responses paired again, and judged.
      const again = await tx
        .insert(pairTable)
        .values(built[0]!.pairs.map(({ campaignId, promptId, responseAId, responseBId, goldChoice }) => ({ campaignId, promptId, responseAId, responseBId, goldChoice })))
        .returning();
      expect(await judgeSome(tx, { ...built[0]!, pairs: again })).toBeGreaterThan(0);
      await expectBothToMatch(tx, "paired and judged after the truncate");
    });

    await rolledBack(async (tx) => {
      await tx.execute(sql`truncate prompts cascade`);
      expect(await anythingKept(tx)).toEqual({ pair_counts: 0, pairs: 0, kinds: 0, labelers: 0 });
      await expectBothToMatch(tx, "prompts truncated");
    });

    // The same count by hand puts rows that went wrong right.
    await rolledBack(async (tx) => {
      await tx.execute(sql`update campaign_quality_labelers set judgments = judgments + 5, agreement_agreed = 0`);
      await tx.execute(sql`delete from campaign_quality_pairs`);
      await tx.execute(sql`update campaign_pair_counts set pairs = pairs + 1`);
      // The bench's comparison names the rows that went wrong, on both sides.
      const { differences } = await compareKeptQuality({ campaignId: built[0]!.campaign.id, on: tx });
      for (const side of ["pairCounts: kept", "pairCounts: recounted", "labelers: kept", "labelers: recounted"]) {
        expect(differences.some((d) => d.startsWith(side))).toBe(true);
      }
      await tx.execute(sql`select campaign_quality_rebuild()`);
      await expectBothToMatch(tx, "rebuilt by hand");
      expect((await compareKeptQuality({ campaignId: built[0]!.campaign.id, on: tx })).differences).toEqual([]);
      // The triggers go on from the rebuilt rows: one labeler's judgments undone.
      await tx.execute(sql`delete from comparisons where labeler_id = ${labelers[0]!.id}`);
      for (const { campaign } of built) {
        await tx.execute(sql`update pairs p set judgment_count = (select count(*) from comparisons c where c.pair_id = p.id) where p.campaign_id = ${campaign.id}`);
      }
      await expectBothToMatch(tx, "undone after the rebuild");
    });
    // Each truncate was rolled back: the other tests' judgments, and these, are all there.
    expect(await stored()).toBe(storedBefore);
    await expectBothToMatch(db, "after");
  }, 120_000);
});
