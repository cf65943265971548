import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { comparisons } from "@/db/schema";
import { leaseTasks, submitJudgment } from "@/lib/labeling/queue";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { makeUser } from "@/lib/testing/fixtures";
import { createSnapshot, snapshotPreferenceRows } from "./snapshots";

/** Three labelers judge every pair: two say left, one says right, mapped back to A/B by the server. */
async function judgedCampaign(pairCount: number) {
  const { campaign } = await makeCampaign({ pairCount, overlap: 3, settings: { askStrength: true } });
  const labelers = await Promise.all([makeUser(), makeUser(), makeUser()]);
  for (const [i, labeler] of labelers.entries()) {
    for (;;) {
      const [task] = await leaseTasks({ campaign, labeler, count: 1 });
      if (!task) break;
      // Judge by content so every labeler means the same response: the short one, except labeler 2.
      const shortIsLeft = task.left.text.startsWith("short");
      const pickShort = i < 2;
      await submitJudgment({
        labeler,
        campaign,
        input: { clientSubmissionId: randomUUID(), assignmentId: task.assignmentId, choice: pickShort === shortIsLeft ? "left" : "right", strength: 2 },
      });
    }
  }
  return { campaign, labelers };
}

describe("dataset snapshots (real Postgres)", () => {
  it("freezes every vote, hashes stably, and changes the hash when a judgment changes", async () => {
    const { campaign } = await judgedCampaign(4);
    const filters = { campaignIds: [campaign.id] };
    const first = await createSnapshot({ input: { name: "one", filters }, actorId: null });
    const second = await createSnapshot({ input: { name: "two", filters }, actorId: null });
    expect(first.counts).toMatchObject({ rows: 12, pairs: 4, labelers: 3 });
    expect(second.contentHash).toBe(first.contentHash);

    const rows = await snapshotPreferenceRows({ snapshotId: first.id });
    expect(rows).toHaveLength(12);
    expect(rows.filter((r) => r.chosen.startsWith("short"))).toHaveLength(8);
    expect(rows[0]).toMatchObject({ margin: 2, weight: 1 });

    const [one] = await db.select().from(comparisons).where(eq(comparisons.campaignId, campaign.id)).limit(1);
    await db.update(comparisons).set({ choice: one!.choice === "a" ? "b" : "a" }).where(eq(comparisons.id, one!.id));
    const third = await createSnapshot({ input: { name: "three", filters }, actorId: null });
    expect(third.contentHash).not.toBe(first.contentHash);
    // The first snapshot is frozen: its rows did not follow the edit.
    expect(await snapshotPreferenceRows({ snapshotId: first.id })).toEqual(rows);
  });

  it("aggregates by majority with the vote share as weight", async () => {
    const { campaign } = await judgedCampaign(3);
    const snapshot = await createSnapshot({ input: { name: "maj", filters: { campaignIds: [campaign.id], aggregate: "majority", weightByReliability: true } }, actorId: null });
    const rows = await snapshotPreferenceRows({ snapshotId: snapshot.id });
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(r.chosen.startsWith("short")).toBe(true);
      expect(r.weight).toBeCloseTo(2 / 3, 12);
    }
  });

  it("refuses filters that match nothing", async () => {
    const { campaign } = await makeCampaign({ pairCount: 1 });
    await expect(createSnapshot({ input: { name: "empty", filters: { campaignIds: [campaign.id] } }, actorId: null })).rejects.toMatchObject({
      code: "bad_request:empty_snapshot",
    });
  });
});
