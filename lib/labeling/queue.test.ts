import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { assignments, comparisons, pairs, skips, type User } from "@/db/schema";
import { listLabelableCampaigns } from "@/lib/campaigns/campaigns";
import type { CampaignSettings } from "@/lib/campaigns/schema";
import { addRowsToCampaign } from "@/lib/imports/import";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { databaseUrl } from "@/lib/env";
import { makeUser } from "@/lib/testing/fixtures";
import { leaseTasks, skipTask, submitJudgment, toCanonical, undoJudgment } from "./queue";
import type { Task } from "./schema";

describe("toCanonical", () => {
  it("maps what the labeler saw back to the pair's A/B order", () => {
    expect(toCanonical("left", "ab")).toBe("a");
    expect(toCanonical("left", "ba")).toBe("b");
    expect(toCanonical("right", "ba")).toBe("a");
    expect(toCanonical("tie", "ba")).toBe("tie");
  });
});

describe("labeling queue (real Postgres)", () => {
  it("50 concurrent labelers, overlap 3, 200 pairs: every pair gets exactly 3 judgments, none twice by one labeler", async () => {
    const { campaign } = await makeCampaign({ pairCount: 200, overlap: 3, settings: { askStrength: false, ordering: "spread" } });
    const labelers = await Promise.all(Array.from({ length: 50 }, () => makeUser("labeler")));
    let submitted = 0;
    await Promise.all(
      labelers.map(async (labeler) => {
        for (;;) {
          const [task] = await leaseTasks({ campaign, labeler, count: 1 });
          if (!task) return;
          await submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: task.assignmentId, choice: "left" } });
          submitted++;
        }
      }),
    );
    expect(submitted).toBe(600);
    const perPair = await db.execute<{ n: number; stored: number }>(sql`
      select count(c.id)::int as n, p.judgment_count as stored from pairs p left join comparisons c on c.pair_id = p.id
      where p.campaign_id = ${campaign.id} group by p.id`);
    expect(perPair).toHaveLength(200);
    expect(perPair.every((r) => r.n === 3 && r.stored === 3)).toBe(true);
    const [dupes] = await db.execute<{ n: number }>(sql`
      select count(*)::int as n from (select pair_id, labeler_id from comparisons where campaign_id = ${campaign.id}
      group by 1, 2 having count(*) > 1) d`);
    expect(dupes!.n).toBe(0);
  }, 120_000);

  it("finish-first under contention: a labeler is told the campaign is done only when no pair is open to them", async () => {
    // finish-first sends every labeler to the same few pairs: the candidates one locks are often full by the time it re-counts.
    const { campaign } = await makeCampaign({ pairCount: 300, overlap: 3, settings: { askStrength: false, ordering: "finish-first" } });
    const labelers = await Promise.all(Array.from({ length: 40 }, () => makeUser("labeler")));
    const toldDoneWhileOpen: number[] = [];
    let submitted = 0;
    await Promise.all(
      labelers.map(async (labeler, i) => {
        for (;;) {
          // Half the labelers also prefetch a second pair, as the labeling page does.
          const tasks = await leaseTasks({ campaign, labeler, count: 1 + (i % 2) });
          if (tasks.length === 0) {
            // A pair open now was open when the lease was asked for: counts and leases only grow here.
            const [open] = await db.execute<{ n: number }>(sql`
              select count(*)::int as n from pairs p
              where p.campaign_id = ${campaign.id}
                and p.judgment_count + (select count(*) from assignments a where a.pair_id = p.id and a.status = 'active' and a.expires_at > now()) < 3
                and not exists (select 1 from assignments a where a.pair_id = p.id and a.labeler_id = ${labeler.id})`);
            if (open!.n > 0) toldDoneWhileOpen.push(open!.n);
            return;
          }
          await submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: tasks[0]!.assignmentId, choice: "left" } });
          submitted++;
        }
      }),
    );
    expect(toldDoneWhileOpen).toEqual([]);
    expect(submitted).toBe(900);
  }, 180_000);

  describe("never waits for a pair while holding another (no deadlock with other transactions)", () => {
    /** Another session's transaction, driven step by step. */
    async function otherTransaction() {
      const client = postgres(databaseUrl(), { max: 1, onnotice: () => {} });
      const conn = await client.reserve();
      const [{ pid }] = await conn<{ pid: number }[]>`select pg_backend_pid() as pid`;
      await conn`begin`;
      return {
        conn,
        lockPair: (id: string) => conn`select id from pairs where id = ${id} for update`,
        commit: async () => {
          await conn`commit`;
          conn.release();
          await client.end({ timeout: 1 });
        },
        /** Resolves once some backend waits for a lock this transaction holds, or once `settled` has. */
        blocking: async (settled?: Promise<unknown>) => {
          let done = false;
          settled?.then(
            () => (done = true),
            () => (done = true),
          );
          for (let i = 0; i < 500 && !done; i++) {
            const [row] = await db.execute<{ n: number }>(sql`select count(*)::int as n from pg_stat_activity where ${pid} = any(pg_blocking_pids(pid))`);
            if (row!.n > 0) return;
            await new Promise((r) => setTimeout(r, 20));
          }
          if (!done) throw new Error("nothing waited for the other transaction's locks");
        },
      };
    }

    /** Two open pairs, overlap 1, finish-first: `first` is offered before `second`. */
    async function twoPairs() {
      const { campaign, pairs: rows } = await makeCampaign({ pairCount: 2, overlap: 1, settings: { askStrength: false, ordering: "finish-first" } });
      const [first, second] = rows.map((r) => r.id) as [string, string];
      await db.update(pairs).set({ priority: 1 }).where(eq(pairs.id, first));
      return { campaign, first, second };
    }

    async function leasedPairs(tasks: Task[]): Promise<string[]> {
      const rows = await Promise.all(tasks.map((t) => db.select({ pairId: assignments.pairId }).from(assignments).where(eq(assignments.id, t.assignmentId))));
      return rows.map(([r]) => r!.pairId);
    }

    it("prefetching: the second lease skips a locked pair instead of waiting while the first is held", async () => {
      const { campaign, first, second } = await twoPairs();
      const other = await otherTransaction();
      await other.lockPair(second);
      const leasing = leaseTasks({ campaign, labeler: await makeUser(), count: 2 });
      await other.blocking(leasing);
      // Had the lease waited for `second` while holding `first`, this would deadlock.
      await other.lockPair(first);
      await other.commit();
      expect(await leasedPairs(await leasing)).toEqual([first]);
    });

    it("a candidate found full on the re-count is unlocked before the lease waits for another pair", async () => {
      const { campaign, first, second } = await twoPairs();
      const holdsFirst = await otherTransaction();
      await holdsFirst.lockPair(first);
      // Someone else's lease on `first`, visible to the re-count once committed: `first` is then full.
      await holdsFirst.conn`insert into assignments (campaign_id, pair_id, labeler_id, shown_order, expires_at)
        values (${campaign.id}, ${first}, ${(await makeUser()).id}, 'ab', now() + interval '10 minutes')`;
      const holdsSecond = await otherTransaction();
      await holdsSecond.lockPair(second);

      const leasing = leaseTasks({ campaign, labeler: await makeUser(), count: 1 });
      await holdsFirst.blocking(); // both pairs locked: the lease waits for the best one
      await holdsFirst.commit(); // ... gets it, finds it full, and goes on to wait for `second`
      await holdsSecond.blocking();
      // Had the lease kept `first` locked, this would deadlock.
      await holdsSecond.lockPair(first);
      await holdsSecond.commit();
      expect(await leasedPairs(await leasing)).toEqual([second]);
    });
  });

  it("returns the same judgment when a submission id is resent, even concurrently", async () => {
    const { campaign } = await makeCampaign({ pairCount: 2, settings: { askStrength: false } });
    const labeler = await makeUser();
    const [task] = await leaseTasks({ campaign, labeler, count: 1 });
    const input = { clientSubmissionId: randomUUID(), assignmentId: task!.assignmentId, choice: "right" as const };
    const results = await Promise.all([1, 2, 3].map(() => submitJudgment({ labeler, campaign, input })));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const rows = await db.select().from(comparisons).where(eq(comparisons.assignmentId, task!.assignmentId));
    expect(rows).toHaveLength(1);
    const [pair] = await db.select().from(pairs).where(eq(pairs.id, rows[0]!.pairId));
    expect(pair!.judgmentCount).toBe(1);
  });

  it("leaves a swapped copy that migration 0016 flagged out of the queue and the counts: its earlier pair asks the same comparison", async () => {
    const { campaign, pairs: made } = await makeCampaign({ pairCount: 3 });
    // As 0016 leaves a legacy copy that was leased: swap_of names the earlier pair (here another one, as the queue reads only the flag).
    await db.update(pairs).set({ swapOf: made[0]!.id }).where(eq(pairs.id, made[1]!.id));
    const labeler = await makeUser();
    const leased = await leaseTasks({ campaign, labeler, count: 3 });
    const leasedPairs = await db.select({ pairId: assignments.pairId }).from(assignments).where(eq(assignments.labelerId, labeler.id));
    expect(leased).toHaveLength(2);
    expect(leasedPairs.map((a) => a.pairId).sort()).toEqual([made[0]!.id, made[2]!.id].sort());
    const [listed] = (await listLabelableCampaigns({ userId: labeler.id })).filter((c) => c.id === campaign.id);
    expect(listed).toMatchObject({ pairCount: 2, completedPairs: 0, openForMe: 2 });
  });

  it("leases two tasks for prefetching and returns the same ones when asked again", async () => {
    const { campaign } = await makeCampaign({ pairCount: 5 });
    const labeler = await makeUser();
    const first = await leaseTasks({ campaign, labeler, count: 2 });
    const again = await leaseTasks({ campaign, labeler, count: 2 });
    expect(first).toHaveLength(2);
    expect(again.map((t) => t.assignmentId)).toEqual(first.map((t) => t.assignmentId));
  });

  it("answers overlapping lease requests of one labeler with the same tasks, never 'done' while they hold some", async () => {
    // The labeling page refetches after every submission and drops a superseded request without
    // stopping it on the server, so two of one labeler's requests overlap. One that read the
    // labeler's live leases before the other committed its new ones, and then looked for pairs,
    // found them all taken by that labeler: "No pairs left for you here" with two pairs leased.
    for (let round = 0; round < 5; round++) {
      const { campaign } = await makeCampaign({ pairCount: 2 });
      const labeler = await makeUser();
      const answers = await Promise.all([1, 2, 3].map(() => leaseTasks({ campaign, labeler, count: 2 })));
      const ids = answers.map((tasks) => tasks.map((t) => t.assignmentId).sort());
      expect(ids[0]).toHaveLength(2);
      expect(ids[1]).toEqual(ids[0]);
      expect(ids[2]).toEqual(ids[0]);
    }
    // With more pairs than a request asks for, overlapping requests lease `count` pairs, not `count` each.
    const { campaign } = await makeCampaign({ pairCount: 8 });
    const labeler = await makeUser();
    await Promise.all([1, 2, 3].map(() => leaseTasks({ campaign, labeler, count: 2 })));
    const [held] = await db.execute<{ n: number }>(sql`select count(*)::int as n from assignments where labeler_id = ${labeler.id} and status = 'active'`);
    expect(held!.n).toBe(2);
  });

  it("gives an expired lease's pair to someone else, and skips release the pair and are recorded", async () => {
    const { campaign } = await makeCampaign({ pairCount: 1, overlap: 1 });
    const [a, b, c] = await Promise.all([makeUser(), makeUser(), makeUser()]);
    const [taskA] = await leaseTasks({ campaign, labeler: a, count: 1 });
    expect(await leaseTasks({ campaign, labeler: b, count: 1 })).toHaveLength(0);
    await db.update(assignments).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(assignments.id, taskA!.assignmentId));
    const [taskB] = await leaseTasks({ campaign, labeler: b, count: 1 });
    expect(taskB).toBeDefined();
    await skipTask({ labeler: b, assignmentId: taskB!.assignmentId, input: { reason: "cant_judge" } });
    expect(await db.select().from(skips).where(eq(skips.assignmentId, taskB!.assignmentId))).toHaveLength(1);
    expect(await leaseTasks({ campaign, labeler: b, count: 1 })).toHaveLength(0);
    expect(await leaseTasks({ campaign, labeler: c, count: 1 })).toHaveLength(1);
  });

  it("stores the choice in canonical order whatever side A was shown on, and undo gives the task back", async () => {
    const { campaign } = await makeCampaign({ pairCount: 1, settings: { askStrength: true } });
    const labeler = await makeUser();
    const [task] = await leaseTasks({ campaign, labeler, count: 1 });
    await expect(
      submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: task!.assignmentId, choice: "left" } }),
    ).rejects.toMatchObject({ code: "bad_request:strength" });
    const judgment = await submitJudgment({
      labeler,
      campaign,
      input: { clientSubmissionId: randomUUID(), assignmentId: task!.assignmentId, choice: "left", strength: 3 },
    });
    const [a] = await db.select().from(assignments).where(eq(assignments.id, task!.assignmentId));
    // "left" holds A when shown as ab, B otherwise; the left text is response A's when ab.
    expect(judgment.choice).toBe(a!.shownOrder === "ab" ? "a" : "b");
    expect(task!.left.text.startsWith(a!.shownOrder === "ab" ? "short" : "a longer")).toBe(true);
    const back = await undoJudgment({ labeler, campaign, judgmentId: judgment.id });
    expect(back.assignmentId).toBe(task!.assignmentId);
    expect(await db.select().from(comparisons).where(eq(comparisons.id, judgment.id))).toHaveLength(0);
    const [pair] = await db.select().from(pairs).where(eq(pairs.campaignId, campaign.id));
    expect(pair!.judgmentCount).toBe(0);
  });

  it("answers an undo sent again with the same task, removing nothing more; once the pair is judged again it is refused", async () => {
    const { campaign } = await makeCampaign({ pairCount: 2, settings: { askStrength: false } });
    const labeler = await makeUser();
    const [task, other] = await leaseTasks({ campaign, labeler, count: 2 });
    const judge = (assignmentId: string) => submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId, choice: "left" } });
    const judgment = await judge(task!.assignmentId);
    const kept = await judge(other!.assignmentId);
    const counts = async () =>
      Object.fromEntries((await db.select({ id: pairs.id, n: pairs.judgmentCount }).from(pairs).where(eq(pairs.campaignId, campaign.id))).map((p) => [p.id, p.n]));

    // Sent three times at once, then once more after: one removal, the same task each time.
    const answers = await Promise.all([1, 2, 3].map(() => undoJudgment({ labeler, campaign, judgmentId: judgment.id })));
    answers.push(await undoJudgment({ labeler, campaign, judgmentId: judgment.id }));
    expect(answers.map((t) => t.assignmentId)).toEqual(Array(4).fill(task!.assignmentId));
    expect(await counts()).toEqual({ [judgment.pairId]: 0, [kept.pairId]: 1 });
    expect((await db.select().from(comparisons).where(eq(comparisons.campaignId, campaign.id))).map((c) => c.id)).toEqual([kept.id]);

    // Another labeler cannot reach it through the undone id.
    await expect(undoJudgment({ labeler: await makeUser(), campaign, judgmentId: judgment.id })).rejects.toMatchObject({ code: "not_found:judgment" });
    // Judged again, the pair is no longer the undo's to give back: the new judgment stays.
    const again = await judge(task!.assignmentId);
    await expect(undoJudgment({ labeler, campaign, judgmentId: judgment.id })).rejects.toMatchObject({ code: "not_found:judgment" });
    expect(await db.select({ id: comparisons.id }).from(comparisons).where(eq(comparisons.assignmentId, task!.assignmentId))).toEqual([{ id: again.id }]);
    expect(await counts()).toEqual({ [judgment.pairId]: 1, [kept.pairId]: 1 });
  });

  it("lists an undone pair first at every refill until it is judged or skipped, the latest undone first", async () => {
    const { campaign } = await makeCampaign({ pairCount: 6, settings: { askStrength: false } });
    const labeler = await makeUser();
    // What the labeling page asks for at each refill: two tasks, the first one on screen.
    const refill = async () => (await leaseTasks({ campaign, labeler, count: 2 })).map((t) => t.assignmentId);
    const judge = (assignmentId: string) => submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId, choice: "left" } });

    const [p1, p2] = await refill();
    const j1 = await judge(p1!);
    const [next, p3] = await refill();
    expect(next).toBe(p2);
    const j2 = await judge(p2!);
    const [, p4] = await refill();

    // Undone, it comes back in front of the pairs leased after it, at this refill and the next.
    expect((await undoJudgment({ labeler, campaign, judgmentId: j2.id })).assignmentId).toBe(p2);
    expect(await refill()).toEqual([p2, p3, p4]);
    expect(await refill()).toEqual([p2, p3, p4]);
    // Undoing the judgment before it too puts that pair first, as the page does.
    await undoJudgment({ labeler, campaign, judgmentId: j1.id });
    expect(await refill()).toEqual([p1, p2, p3, p4]);

    // Judged again, a pair leaves the front; skipped, the other one does.
    await judge(p1!);
    expect(await refill()).toEqual([p2, p3, p4]);
    await skipTask({ labeler, assignmentId: p2!, input: { reason: "cant_judge" } });
    expect(await refill()).toEqual([p3, p4]);
    // Undone again, the judged pair is back in front.
    const again = await judge(p3!);
    await undoJudgment({ labeler, campaign, judgmentId: again.id });
    expect(await refill()).toEqual([p3, p4]);
    // Pairs leased later still come after it.
    await judge(p4!);
    const [front, fresh] = await refill();
    expect(front).toBe(p3);
    expect(fresh).toBeDefined();
  });

  it("times a pair leased ahead from the labeler's previous judgment or skip, when it came on screen, not from its lease", async () => {
    const { campaign } = await makeCampaign({ pairCount: 4, settings: { askStrength: false } });
    const labeler = await makeUser();
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const judge = (assignmentId: string) => submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId, choice: "left" } });
    // The page's way: the pair on screen and the next one, leased together.
    const [first, second] = await leaseTasks({ campaign, labeler, count: 2 });
    await sleep(800);
    const j1 = await judge(first!.assignmentId);
    const [, third] = await leaseTasks({ campaign, labeler, count: 2 });
    await sleep(300);
    const j2 = await judge(second!.assignmentId);
    expect(j1.serverMs).toBeGreaterThanOrEqual(800);
    // On screen for 300 ms; counted from its lease it read 1,100.
    expect(j2.serverMs).toBeGreaterThanOrEqual(300);
    expect(j2.serverMs).toBeLessThan(800);

    // A skip ends the previous pair's time as a judgment does.
    const [, fourth] = await leaseTasks({ campaign, labeler, count: 2 });
    await sleep(800);
    await skipTask({ labeler, assignmentId: third!.assignmentId, input: { reason: "cant_judge" } });
    await sleep(300);
    const j4 = await judge(fourth!.assignmentId);
    expect(j4.serverMs).toBeGreaterThanOrEqual(300);
    expect(j4.serverMs).toBeLessThan(800);
  });

  it("mixes gold pairs in at the campaign's rate and scores them", async () => {
    const { campaign } = await makeCampaign({ pairCount: 20, gold: ["a", "b", "a", "b", "a"], settings: { goldRate: 0.5, askStrength: false } });
    const labeler = await makeUser();
    let gold = 0;
    for (;;) {
      const [task] = await leaseTasks({ campaign, labeler, count: 1 });
      if (!task) break;
      const j = await submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: task.assignmentId, choice: "left" } });
      const [c] = await db.select().from(comparisons).where(eq(comparisons.id, j.id));
      if (c!.goldCorrect !== null) {
        gold++;
        const [p] = await db.select().from(pairs).where(eq(pairs.id, c!.pairId));
        expect(c!.goldCorrect).toBe(p!.goldChoice === c!.choice);
      }
    }
    expect(gold).toBe(5);
  });

  describe("priority (generate-pairs' uncertainty) within a judgment count", () => {
    /** One pair per priority, added in this order (so created_at rises), the way generate-pairs adds them. */
    async function campaignWithPriorities(ordering: CampaignSettings["ordering"], priorities: number[]) {
      const { campaign } = await makeCampaign({ pairCount: 0, overlap: 3, settings: { ordering, askStrength: false } });
      for (const [i, priority] of priorities.entries()) {
        const response = (text: string) => ({ text, source: "test-policy", metadata: {} });
        await addRowsToCampaign({ campaignId: campaign.id, rows: [{ line: i + 1, prompt: `prompt ${i}`, pairs: [{ a: response(`a ${i}`), b: response(`b ${i}`), gold: null, priority }] }] });
      }
      const rows = await db.select().from(pairs).where(eq(pairs.campaignId, campaign.id));
      expect(rows.map((r) => r.priority).sort()).toEqual([...priorities].sort());
      return { campaign, rows };
    }
    /** The pairs behind the tasks, in the order they were leased. */
    async function leasedPairs(tasks: Task[]) {
      const out = [];
      for (const t of tasks) {
        const [row] = await db.select({ id: pairs.id, priority: pairs.priority, createdAt: pairs.createdAt }).from(assignments).innerJoin(pairs, eq(pairs.id, assignments.pairId)).where(eq(assignments.id, t.assignmentId));
        out.push(row!);
      }
      return out;
    }
    /** Gives one pair a judgment from another labeler, so it has judgment count 1. */
    async function judgeOne(campaign: Awaited<ReturnType<typeof campaignWithPriorities>>["campaign"], labeler: User, pairId: string) {
      const tasks = await leaseTasks({ campaign, labeler, count: 10 });
      const task = (await leasedPairs(tasks)).findIndex((p) => p.id === pairId);
      await submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: tasks[task]!.assignmentId, choice: "left" } });
      // The other leases are released, so they do not count against the overlap in what follows.
      for (const [i, t] of tasks.entries()) if (i !== task) await skipTask({ labeler, assignmentId: t.assignmentId, input: { reason: "cant_judge" } });
    }

    it("finish-first: the higher priority first at equal judgment count, then the oldest", async () => {
      const { campaign, rows } = await campaignWithPriorities("finish-first", [0.1, 0.5, 0.9, 0.5]);
      const leased = await leasedPairs(await leaseTasks({ campaign, labeler: await makeUser(), count: 4 }));
      expect(leased.map((p) => p.priority)).toEqual([0.9, 0.5, 0.5, 0.1]);
      // The two 0.5 pairs keep the old tie-break: the older first.
      expect(leased[1]!.createdAt.getTime()).toBeLessThan(leased[2]!.createdAt.getTime());
      expect(new Set(leased.map((p) => p.id))).toEqual(new Set(rows.map((r) => r.id)));
    });

    it("finish-first still finishes a pair with more judgments before a more uncertain one", async () => {
      const { campaign, rows } = await campaignWithPriorities("finish-first", [0.1, 0.9, 0.5]);
      await judgeOne(campaign, await makeUser(), rows.find((r) => r.priority === 0.1)!.id);
      const leased = await leasedPairs(await leaseTasks({ campaign, labeler: await makeUser(), count: 3 }));
      expect(leased.map((p) => p.priority)).toEqual([0.1, 0.9, 0.5]);
    });

    it("spread: fewest judgments first, and among those the higher priority first", async () => {
      const { campaign, rows } = await campaignWithPriorities("spread", [0.2, 0.9, 0.5, 0.7]);
      const first = await leasedPairs(await leaseTasks({ campaign, labeler: await makeUser(), count: 4 }));
      expect(first.map((p) => p.priority)).toEqual([0.9, 0.7, 0.5, 0.2]);
      await judgeOne(campaign, await makeUser(), rows.find((r) => r.priority === 0.9)!.id);
      const second = await leasedPairs(await leaseTasks({ campaign, labeler: await makeUser(), count: 4 }));
      expect(second.map((p) => p.priority)).toEqual([0.7, 0.5, 0.2, 0.9]);
    });
  });
});
