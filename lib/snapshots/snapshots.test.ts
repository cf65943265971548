import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { comparisons, snapshotRows } from "@/db/schema";
import { leaseTasks, submitJudgment } from "@/lib/labeling/queue";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { makeUser } from "@/lib/testing/fixtures";
import { contentHash, createSnapshot, insertSnapshotRows, snapshotPreferenceRows } from "./snapshots";

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

/** A snapshot's stored rows in order, as buildRows made them (without snapshotId), and their ordinals. */
async function storedRows(snapshotId: string) {
  const stored = await db.select().from(snapshotRows).where(eq(snapshotRows.snapshotId, snapshotId)).orderBy(asc(snapshotRows.ordinal));
  return { ordinals: stored.map((r) => r.ordinal), rows: stored.map(({ snapshotId: _id, ordinal: _ordinal, ...row }) => row) };
}

describe("contentHash", () => {
  it("hashes one canonical JSON line per row, so a snapshot's hash never changes meaning", () => {
    const rows = [
      { pairId: "00000000-0000-4000-8000-000000000001", promptId: "00000000-0000-4000-8000-000000000002", chosenResponseId: "00000000-0000-4000-8000-000000000003", rejectedResponseId: "00000000-0000-4000-8000-000000000004", tie: false, strength: 2, weight: 0.1234567, votes: 1, comparisonId: "00000000-0000-4000-8000-000000000005", labelerId: "00000000-0000-4000-8000-000000000006" },
      { pairId: "00000000-0000-4000-8000-000000000007", promptId: "00000000-0000-4000-8000-000000000002", chosenResponseId: "00000000-0000-4000-8000-000000000008", rejectedResponseId: "00000000-0000-4000-8000-000000000009", tie: true, strength: null, weight: 2 / 3, votes: 3, comparisonId: null, labelerId: null },
    ];
    // sha256 of the two JSON lines, computed apart from this code.
    expect(contentHash(rows)).toBe("d63632b55fffe50a6e67d66a054c0a17c0009ded2d6ddf28016e58bed96b55dd");
    expect(contentHash([rows[0]!, { ...rows[1]!, weight: 0.6666671 }])).toBe(contentHash(rows)); // rounded to 6 places
    expect(contentHash([rows[0]!, { ...rows[1]!, weight: 0.667 }])).not.toBe(contentHash(rows));
  });
});

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

  it("stores exactly the rows it hashed, in order, whether every vote or one row per pair", async () => {
    const { campaign } = await judgedCampaign(4);
    for (const filters of [{ campaignIds: [campaign.id], weightByReliability: true }, { campaignIds: [campaign.id], aggregate: "majority" as const, weightByReliability: true }]) {
      const snapshot = await createSnapshot({ input: { name: filters.aggregate ?? "all", filters }, actorId: null });
      const { ordinals, rows } = await storedRows(snapshot.id);
      expect(ordinals).toEqual(rows.map((_, i) => i));
      expect(rows).toHaveLength(snapshot.counts.rows);
      expect(contentHash(rows)).toBe(snapshot.contentHash);
      for (const r of rows) {
        expect(r.labelerId === null).toBe(filters.aggregate === "majority");
        expect(r.comparisonId === null).toBe(filters.aggregate === "majority");
        expect(r.strength).toBe(2);
      }
      if (filters.aggregate === "majority") expect(rows.map((r) => r.weight)).toEqual([2 / 3, 2 / 3, 2 / 3, 2 / 3]);
    }
  });

  it("writes rows in several statements without losing, reordering or renumbering any", async () => {
    const { campaign } = await judgedCampaign(4);
    const snapshot = await createSnapshot({ input: { name: "split", filters: { campaignIds: [campaign.id] } }, actorId: null });
    const { rows } = await storedRows(snapshot.id);
    const edited = rows.map((r, i) => ({ ...r, tie: i % 5 === 0, strength: i % 3 === 0 ? null : i / 7, weight: 1 / (i + 3), votes: i + 1 }));
    await db.delete(snapshotRows).where(eq(snapshotRows.snapshotId, snapshot.id));
    await insertSnapshotRows({ tx: db, snapshotId: snapshot.id, rows: edited, rowsPerInsert: 5 }); // 12 rows: 5 + 5 + 2
    expect(await storedRows(snapshot.id)).toEqual({ ordinals: edited.map((_, i) => i), rows: edited });
  });

  it("refuses a time window that ends before it starts, naming filters.to, before looking for judgments", async () => {
    const { campaign } = await judgedCampaign(1);
    const filters = { campaignIds: [campaign.id], from: "2026-12-01T00:00:00Z", to: "2026-11-01T00:00:00Z" };
    await expect(createSnapshot({ input: { name: "reversed", filters }, actorId: null })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ["filters", "to"], message: "must be after filters.from (the window is [from, to)): swap them" })],
    });
    const swapped = await createSnapshot({ input: { name: "swapped", filters: { ...filters, from: filters.to, to: "2999-01-01T00:00:00Z" } }, actorId: null });
    expect(swapped.counts.rows).toBeGreaterThan(0);
  });

  it("refuses filters that match nothing", async () => {
    const { campaign } = await makeCampaign({ pairCount: 1 });
    await expect(createSnapshot({ input: { name: "empty", filters: { campaignIds: [campaign.id] } }, actorId: null })).rejects.toMatchObject({
      code: "bad_request:empty_snapshot",
    });
  });
});
