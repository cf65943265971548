import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { assignments, comparisons, responses, type User } from "@/db/schema";
import type { Choice, ShownOrder } from "@/db/values";
import { binomialTwoSidedP, krippendorffAlphaOrdinal, majority, median, pairwiseAgreement } from "@/lib/stats/agreement";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { makeUser } from "@/lib/testing/fixtures";
import { createRng } from "@/trainer/rng";
import { campaignQuality, labelerStats } from "./quality";

type Judgment = { pairId: string; labelerId: string; choice: Choice; strength: number | null; shownOrder: ShownOrder; serverMs: number; goldCorrect: boolean | null; longer: "a" | "b" | null };

/**
 * A campaign with uneven overlap (1 to 6 judgments a pair), every choice and strength, gold
 * pairs, and pairs where A is longer, B is longer or both are the same length.
 */
async function judgedCampaign(seed: number) {
  const rng = createRng(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rng.next() * items.length)]!;
  const { campaign, pairs } = await makeCampaign({ pairCount: 30, gold: ["a", "b", "a"] });
  const labelers: User[] = [];
  for (let i = 0; i < 7; i++) labelers.push(await makeUser());
  // The fixture makes B the longer; make some A longer and some level.
  for (const [i, p] of pairs.entries()) {
    if (i % 3 === 1) await db.update(responses).set({ text: "the longest answer of all" }).where(sql`id = ${p.responseAId}`);
    if (i % 3 === 2) await db.update(responses).set({ text: "x".repeat(10) }).where(sql`id in (${p.responseAId}, ${p.responseBId})`);
  }
  const judgments: Judgment[] = [];
  for (const [i, p] of pairs.entries()) {
    const judges = [...labelers].sort(() => rng.next() - 0.5).slice(0, 1 + Math.floor(rng.next() * 6));
    const lean = pick(["a", "b"] as const);
    for (const labeler of judges) {
      const choice: Choice = rng.next() < 0.6 ? lean : pick(["a", "b", "tie", "both_bad"] as const);
      judgments.push({
        pairId: p.id,
        labelerId: labeler.id,
        choice,
        strength: choice === "a" || choice === "b" ? pick([null, 1, 2, 3, 4]) : null,
        shownOrder: pick(["ab", "ba"] as const),
        serverMs: 500 + Math.floor(rng.next() * 9000),
        goldCorrect: p.goldChoice ? choice === p.goldChoice : null,
        longer: i % 3 === 0 ? "b" : i % 3 === 1 ? "a" : null,
      });
    }
  }
  const leased = await db
    .insert(assignments)
    .values(judgments.map((j) => ({ campaignId: campaign.id, pairId: j.pairId, labelerId: j.labelerId, status: "completed" as const, shownOrder: j.shownOrder, expiresAt: new Date() })))
    .returning({ id: assignments.id });
  await db.insert(comparisons).values(
    judgments.map((j, i) => ({
      clientSubmissionId: crypto.randomUUID(),
      assignmentId: leased[i]!.id,
      campaignId: campaign.id,
      pairId: j.pairId,
      labelerId: j.labelerId,
      choice: j.choice,
      strength: j.strength,
      shownOrder: j.shownOrder,
      serverMs: j.serverMs,
      goldCorrect: j.goldCorrect,
    })),
  );
  return { campaign, labelers, judgments };
}

/** The figures computed the plain way, from every judgment in memory: the definitions the SQL must meet. */
function expectedFigures(judgments: Judgment[]) {
  const group = <T>(items: T[], key: (t: T) => string) => {
    const out = new Map<string, T[]>();
    for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
    return out;
  };
  const nonGold = judgments.filter((j) => j.goldCorrect === null);
  const units = [...group(nonGold, (j) => j.pairId).values()];
  const ordinal = (j: Judgment) => (j.choice === "both_bad" ? null : j.choice === "tie" ? 0 : (j.choice === "a" ? 1 : -1) * (j.strength ?? 1));
  const agreement = new Map<string, { agree: number; total: number }>();
  for (const unit of units) {
    for (const j of unit) {
      const others = unit.filter((o) => o !== j).map((o) => o.choice);
      const m = others.length >= 2 ? majority(others) : null;
      if (m === null) continue;
      const s = agreement.get(j.labelerId) ?? { agree: 0, total: 0 };
      s.total++;
      if (j.choice === m) s.agree++;
      agreement.set(j.labelerId, s);
    }
  }
  const decisive = nonGold.filter((j) => j.choice === "a" || j.choice === "b");
  const left = decisive.filter((j) => (j.choice === "a") === (j.shownOrder === "ab")).length;
  const withLonger = decisive.filter((j) => j.longer !== null);
  const longerPicks = withLonger.filter((j) => j.choice === j.longer).length;
  const labelers = new Map(
    [...group(judgments, (j) => j.labelerId)].map(([id, js]) => {
      const gold = js.filter((j) => j.goldCorrect !== null);
      const a = agreement.get(id);
      return [id, { judgments: js.length, medianSeconds: median(js.map((j) => j.serverMs / 1000)), gold, agreementWithMajority: a && a.total ? a.agree / a.total : null }];
    }),
  );
  return {
    alphaOrdinal: krippendorffAlphaOrdinal(units.map((u) => u.map(ordinal).filter((v): v is number => v !== null))),
    pairwiseAgreement: pairwiseAgreement(units.map((u) => u.map((j) => j.choice))),
    positionBias: { leftShare: left / decisive.length, n: decisive.length, pValue: binomialTwoSidedP(left, decisive.length) },
    lengthBias: { longerShare: longerPicks / withLonger.length, n: withLonger.length, pValue: binomialTwoSidedP(longerPicks, withLonger.length) },
    labelers,
  };
}

describe("campaign quality (real Postgres)", () => {
  it("computes in SQL the figures the in-memory definitions give, on three random campaigns", async () => {
    for (const seed of [1, 2, 3]) {
      const { campaign, judgments } = await judgedCampaign(seed);
      const expected = expectedFigures(judgments);
      const quality = await campaignQuality({ campaignId: campaign.id });

      // The 3 gold pairs are counted apart from the 30 to label.
      expect(quality).toMatchObject({ pairs: 30, goldPairs: 3, judgments: judgments.length });
      expect(quality.alphaOrdinal).not.toBeNull();
      expect(quality.alphaOrdinal!).toBeCloseTo(expected.alphaOrdinal!, 10);
      expect(quality.pairwiseAgreement!).toBeCloseTo(expected.pairwiseAgreement!, 12);
      expect(quality.positionBias).toEqual(expected.positionBias);
      expect(quality.lengthBias).toEqual(expected.lengthBias);
      expect(quality.labelers.map((l) => l.judgments)).toEqual([...quality.labelers.map((l) => l.judgments)].sort((x, y) => y - x));
      expect(quality.labelers).toHaveLength(expected.labelers.size);
      for (const l of quality.labelers) {
        const want = expected.labelers.get(l.labelerId)!;
        expect(l.judgments).toBe(want.judgments);
        expect(l.medianSeconds!).toBeCloseTo(want.medianSeconds!, 9);
        expect(l.goldAnswered).toBe(want.gold.length);
        expect(l.goldAccuracy).toBe(want.gold.length ? want.gold.filter((g) => g.goldCorrect).length / want.gold.length : null);
        expect(l.agreementWithMajority).toBe(want.agreementWithMajority);
        expect(l.name).toMatch(/@test\.local$/);
      }
      // Some labelers must have been scored against a majority, or the agreement check above proves little.
      expect(quality.labelers.filter((l) => l.agreementWithMajority !== null).length).toBeGreaterThan(3);
    }
  });

  it("counts a judgment against the majority of the others only once two others agree on one choice", async () => {
    const { campaign, pairs } = await makeCampaign({ pairCount: 2 });
    const [l1, l2, l3, l4] = [await makeUser(), await makeUser(), await makeUser(), await makeUser()];
    // Pair 1: a, a, a, b. Each a-judge sees others (a, a, b): majority a. The b-judge sees (a, a, a).
    // Pair 2: a, a, b. The a-judges see (a, b): no majority. The b-judge sees (a, a): majority a.
    const votes: [string, User, Choice][] = [
      [pairs[0]!.id, l1!, "a"], [pairs[0]!.id, l2!, "a"], [pairs[0]!.id, l3!, "a"], [pairs[0]!.id, l4!, "b"],
      [pairs[1]!.id, l1!, "a"], [pairs[1]!.id, l2!, "a"], [pairs[1]!.id, l4!, "b"],
    ];
    const leased = await db.insert(assignments).values(votes.map(([pairId, l]) => ({ campaignId: campaign.id, pairId, labelerId: l.id, status: "completed" as const, shownOrder: "ab" as const, expiresAt: new Date() }))).returning({ id: assignments.id });
    await db.insert(comparisons).values(votes.map(([pairId, l, choice], i) => ({ clientSubmissionId: crypto.randomUUID(), assignmentId: leased[i]!.id, campaignId: campaign.id, pairId, labelerId: l.id, choice, shownOrder: "ab" as const, serverMs: 1000 * (i + 1) })));

    const quality = await campaignQuality({ campaignId: campaign.id });
    const of = (u: User) => quality.labelers.find((l) => l.labelerId === u.id)!;
    expect(of(l1!).agreementWithMajority).toBe(1); // pair 1 only
    expect(of(l3!).agreementWithMajority).toBe(1);
    expect(of(l4!).agreementWithMajority).toBe(0); // 0 of 2
    expect(of(l1!).medianSeconds).toBe(3); // 1 s and 5 s
    expect(quality.pairwiseAgreement).toBeCloseTo((3 + 1) / (6 + 3), 12);

    // A labeler's own page reads the same rule over every pair they judged.
    expect(await labelerStats({ labelerId: l4!.id })).toMatchObject({ judgments: 2, agreementWithMajority: 0, medianSeconds: 5.5, goldAnswered: 0, goldAccuracy: null });
    expect(await labelerStats({ labelerId: l2!.id })).toMatchObject({ judgments: 2, agreementWithMajority: 1 });
  });

  it("counts today's judgments from midnight in the labeler's time zone, not the server's", async () => {
    const { campaign, pairs } = await makeCampaign({ pairCount: 8 });
    const labeler = await makeUser();
    // Judgments 1 to 40 hours old: whether each is today depends on where the labeler is.
    const hoursAgo = [1, 4, 7, 10, 13, 18, 25, 40];
    const now = Date.now();
    const at = hoursAgo.map((h) => new Date(now - h * 3_600_000));
    const leased = await db
      .insert(assignments)
      .values(pairs.map((p) => ({ campaignId: campaign.id, pairId: p.id, labelerId: labeler.id, status: "completed" as const, shownOrder: "ab" as const, expiresAt: new Date() })))
      .returning({ id: assignments.id });
    await db.insert(comparisons).values(
      pairs.map((p, i) => ({ clientSubmissionId: crypto.randomUUID(), assignmentId: leased[i]!.id, campaignId: campaign.id, pairId: p.id, labelerId: labeler.id, choice: "a" as const, shownOrder: "ab" as const, serverMs: 1000, createdAt: at[i]! })),
    );
    const day = (d: Date, timeZone: string) => new Intl.DateTimeFormat("en-CA", { timeZone }).format(d);
    const zones = ["UTC", "America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati", "Etc/GMT+12"];
    const expected = zones.map((tz) => at.filter((d) => day(d, tz) === day(new Date(now), tz)).length);
    // At any hour of the day some of these zones disagree on what today is, or the test would prove nothing.
    expect(new Set(expected).size).toBeGreaterThan(1);
    for (const [i, tz] of zones.entries()) expect({ tz, today: (await labelerStats({ labelerId: labeler.id, timeZone: tz })).today }).toEqual({ tz, today: expected[i] });
    expect((await labelerStats({ labelerId: labeler.id })).today).toBe(expected[0]);
  });

  it("gives empty figures for a campaign nobody has judged, and zeros for a labeler with no judgments", async () => {
    const { campaign } = await makeCampaign({ pairCount: 3 });
    expect(await campaignQuality({ campaignId: campaign.id })).toEqual({
      pairs: 3,
      completePairs: 0,
      goldPairs: 0,
      judgments: 0,
      alphaOrdinal: null,
      pairwiseAgreement: null,
      positionBias: { leftShare: null, n: 0, pValue: 1 },
      lengthBias: { longerShare: null, n: 0, pValue: 1 },
      labelers: [],
    });
    const labeler = await makeUser();
    expect(await labelerStats({ labelerId: labeler.id })).toEqual({ judgments: 0, today: 0, skipped: 0, agreementWithMajority: null, goldAnswered: 0, goldAccuracy: null, medianSeconds: null });
  });
});
