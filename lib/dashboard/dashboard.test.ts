import { randomUUID } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { comparisons, runs } from "@/db/schema";
import { registerCheckpoint } from "@/lib/checkpoints/registry";
import { leaseTasks, submitJudgment } from "@/lib/labeling/queue";
import { enqueueRun } from "@/lib/runs/queue";
import { createSnapshot } from "@/lib/snapshots/snapshots";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { makeUser } from "@/lib/testing/fixtures";
import { evaluations, labelingActivityByDay, lastDays, ppoRounds, researchDashboard, rewardRounds } from "./dashboard";
import { dashboardFilterSchema } from "./schema";

/** A run finished with this status at `finishedAt`, its checkpoint (when given metrics) registered with them. */
async function finishedRun({
  kind,
  status = "succeeded",
  finishedAt,
  checkpointMetrics,
  result = {},
  config = {},
  snapshotId = null,
  parentCheckpointId = null,
}: {
  kind: string;
  status?: "succeeded" | "failed";
  finishedAt: string;
  checkpointMetrics?: Record<string, number>;
  result?: Record<string, unknown>;
  config?: Record<string, unknown>;
  snapshotId?: string | null;
  parentCheckpointId?: string | null;
}) {
  const run = await enqueueRun({ kind, config, snapshotId, parentCheckpointId });
  let outputCheckpointId: string | null = null;
  let storeKey: string | null = null;
  if (checkpointMetrics) {
    storeKey = `${kind}-dash-${randomUUID().slice(0, 8)}`;
    const checkpoint = await registerCheckpoint({
      record: { id: storeKey, kind: kind === "reward" ? "reward" : "policy", parentId: null, backend: "cpu", sizeBytes: 1, paramCount: 1, config: {}, metrics: checkpointMetrics, createdAt: finishedAt, location: storeKey },
      runId: run.id,
    });
    outputCheckpointId = checkpoint.id;
  }
  await db.update(runs).set({ status, finishedAt: new Date(finishedAt), result, outputCheckpointId }).where(eq(runs.id, run.id));
  return { runId: run.id, checkpointId: outputCheckpointId, storeKey };
}

type Labeler = Awaited<ReturnType<typeof makeUser>>;
type TestCampaign = Awaited<ReturnType<typeof makeCampaign>>["campaign"];

/** `n` judgments by one labeler on a campaign's open pairs, all dated `at`; their ids. */
async function judgmentsAt({ campaign, labeler, n, at }: { campaign: TestCampaign; labeler: Labeler; n: number; at: string }): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const [task] = await leaseTasks({ campaign, labeler, count: 1 });
    ids.push((await submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: task!.assignmentId, choice: "left" } })).id);
  }
  await db.update(comparisons).set({ createdAt: new Date(at) }).where(inArray(comparisons.id, ids));
  return ids;
}

describe("research dashboard queries (real Postgres)", () => {
  it("counts judgments and distinct labelers per UTC day, with empty days as zeros", async () => {
    const { campaign } = await makeCampaign({ pairCount: 4, overlap: 3, settings: { askStrength: false } });
    const [a, b, c] = await Promise.all([makeUser(), makeUser(), makeUser()]);
    const judge = async (labeler: typeof a, n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const [task] = await leaseTasks({ campaign, labeler, count: 1 });
        ids.push((await submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: task!.assignmentId, choice: "left" } })).id);
      }
      return ids;
    };
    const [byA, byB, byC] = [await judge(a, 4), await judge(b, 2), await judge(c, 1)];
    // Far in the past, so no other test's judgments share these days; the first two sit either side of UTC midnight.
    const at = async (ids: string[], when: string) => db.update(comparisons).set({ createdAt: new Date(when) }).where(inArray(comparisons.id, ids));
    await at(byA.slice(0, 2), "2001-03-01T23:59:59.999Z");
    await at([...byA.slice(2), ...byB], "2001-03-02T00:00:00Z");
    await at(byC, "2001-03-04T12:00:00Z");

    expect(await labelingActivityByDay({ from: "2001-02-28", to: "2001-03-05" })).toEqual([
      { day: "2001-02-28", labels: 0, labelers: 0 },
      { day: "2001-03-01", labels: 2, labelers: 1 },
      { day: "2001-03-02", labels: 4, labelers: 2 },
      { day: "2001-03-03", labels: 0, labelers: 0 },
      { day: "2001-03-04", labels: 1, labelers: 1 },
      { day: "2001-03-05", labels: 0, labelers: 0 },
    ]);
    expect(await labelingActivityByDay({ from: "2001-03-02", to: "2001-03-02" })).toEqual([{ day: "2001-03-02", labels: 4, labelers: 2 }]);
    await expect(labelingActivityByDay({ from: "March", to: "2001-03-02" })).rejects.toThrow(/YYYY-MM-DD/);
  });

  it("numbers succeeded reward runs as rounds by finish time, with the validation accuracy of each", async () => {
    const before = await rewardRounds();
    // Far in the future, so these are the last rounds whatever else the database holds.
    const second = await finishedRun({ kind: "reward", finishedAt: "2100-01-02T00:00:00Z", checkpointMetrics: { "reward/accuracy_val": 0.75, "data/val_pairs": 40 }, result: { "reward/accuracy_val": 0.1 } });
    const first = await finishedRun({ kind: "reward", finishedAt: "2100-01-01T00:00:00Z", checkpointMetrics: { "reward/accuracy_val": 0.625, "data/val_pairs": 32 } });
    const noCheckpoint = await finishedRun({ kind: "reward", finishedAt: "2100-01-03T00:00:00Z", result: { "reward/accuracy_val": 0.8 } });
    const noValidation = await finishedRun({ kind: "reward", finishedAt: "2100-01-04T00:00:00Z", checkpointMetrics: { "train/steps": 10 } });
    await finishedRun({ kind: "reward", status: "failed", finishedAt: "2100-01-05T00:00:00Z", checkpointMetrics: { "reward/accuracy_val": 0.99 } });
    await finishedRun({ kind: "dpo", finishedAt: "2100-01-05T00:00:00Z", checkpointMetrics: { "reward/accuracy_val": 0.99 } });

    const after = await rewardRounds();
    expect(after).toHaveLength(before.length + 4);
    const n = before.length;
    expect(after.slice(-4)).toEqual([
      expect.objectContaining({ round: n + 1, runId: first.runId, checkpointId: first.checkpointId, accuracy: 0.625, valPairs: 32, finishedAt: "2100-01-01T00:00:00.000Z" }),
      expect.objectContaining({ round: n + 2, runId: second.runId, accuracy: 0.75, valPairs: 40 }), // the checkpoint's figure wins over the result's
      expect.objectContaining({ round: n + 3, runId: noCheckpoint.runId, checkpointId: null, checkpointName: null, accuracy: 0.8, valPairs: null }),
      expect.objectContaining({ round: n + 4, runId: noValidation.runId, accuracy: null }),
    ]);
  });

  it("numbers succeeded PPO runs as rounds, with the last iteration's score, reward and KL", async () => {
    const before = await ppoRounds();
    const one = await finishedRun({ kind: "ppo", finishedAt: "2100-02-01T00:00:00Z", checkpointMetrics: { "objective/scores": 0.5, "objective/rlhf_reward": 0.25, "objective/kl": 1.25 } });
    const two = await finishedRun({ kind: "ppo", finishedAt: "2100-02-02T00:00:00Z", checkpointMetrics: { "objective/scores": 1.5, "objective/rlhf_reward": 1, "objective/kl": 2.5 } });
    await finishedRun({ kind: "ppo", status: "failed", finishedAt: "2100-02-03T00:00:00Z", checkpointMetrics: { "objective/kl": 99 } });

    const after = await ppoRounds();
    expect(after).toHaveLength(before.length + 2);
    expect(after.slice(-2)).toEqual([
      expect.objectContaining({ round: before.length + 1, runId: one.runId, score: 0.5, rlhfReward: 0.25, kl: 1.25 }),
      expect.objectContaining({ round: before.length + 2, runId: two.runId, checkpointName: expect.stringMatching(/^ppo-dash-/), score: 1.5, rlhfReward: 1, kl: 2.5 }),
    ]);
  });

  it("lists succeeded eval runs with A's win rate, score gain and KL against B, and its share of the optimum", async () => {
    const row = (name: string, meanScore: number, winRateVsBaseline: number, klToBaseline: number) => ({ name, meanScore, winRateVsBaseline, klToBaseline, scoreStdErr: 0.02 });
    const result = (share: number | null) => ({
      rows: [row("A ppo-a", 0.75, 0.731, 0.87), row("B demo-sft", -0.25, 0.5, 0), row("best-of-4 B", 0.84, 0.8, 0.636)], // labels for the table, not read
      optimum: share === null ? null : { kl: 0.87, meanScore: 0.98, shareOfGain: share },
      prompts: 377,
    });
    // A from config.policy, or else from the run's parent checkpoint (as the runs form starts one)
    const parent = await registerCheckpoint({ record: { id: `ppo-parent-${randomUUID().slice(0, 8)}`, kind: "policy", parentId: null, backend: "cpu", sizeBytes: 1, paramCount: 1, config: {}, metrics: {}, createdAt: "2100-04-30T00:00:00Z", location: "x" } });
    const one = await finishedRun({ kind: "eval", config: { policy: "ppo-a", reward: "rm-x", baseline: "demo-sft" }, result: result(0.7), finishedAt: "2100-05-01T00:00:00Z" });
    const two = await finishedRun({ kind: "eval", parentCheckpointId: parent.id, config: { reward: "rm-y", baseline: "demo-base" }, result: result(null), finishedAt: "2100-05-02T00:00:00Z" });
    await finishedRun({ kind: "eval", status: "failed", config: { reward: "rm-x" }, result: result(0.9), finishedAt: "2100-05-03T00:00:00Z" });

    const listed = (await evaluations()).slice(-2);
    expect(listed).toEqual([
      { runId: one.runId, finishedAt: "2100-05-01T00:00:00.000Z", policy: "ppo-a", baseline: "demo-sft", reward: "rm-x", prompts: 377, winRate: 0.731, kl: 0.87, gain: 1, shareOfOptimum: 0.7 },
      expect.objectContaining({ runId: two.runId, policy: parent.storeKey, baseline: "demo-base", reward: "rm-y", shareOfOptimum: null }),
    ]);
    // the newest `limit`, still oldest first
    expect((await evaluations({ limit: 1 })).map((e) => e.runId)).toEqual([two.runId]);
  });

  it("shows the last 30 UTC days, today included", async () => {
    expect(lastDays({ days: 30, now: new Date("2024-03-01T01:00:00Z") })).toEqual({ from: "2024-02-01", to: "2024-03-01" }) // 2024 is a leap year: Feb 1 … Feb 29, Mar 1;
    const dashboard = await researchDashboard({ now: new Date("2001-03-04T23:00:00Z"), days: 5 });
    expect(dashboard.activity.map((d) => [d.day, d.labels])).toEqual([
      ["2001-02-28", 0],
      ["2001-03-01", 2],
      ["2001-03-02", 4],
      ["2001-03-03", 0],
      ["2001-03-04", 1],
    ]);
  });

  it("narrows every figure to one campaign: its judgments, reward runs on its snapshots, PPO runs on its prompts or its reward models", async () => {
    const { campaign: a } = await makeCampaign({ pairCount: 3, overlap: 2, settings: { askStrength: false } });
    const { campaign: b } = await makeCampaign({ pairCount: 3, overlap: 2, settings: { askStrength: false } });
    const [x, y] = await Promise.all([makeUser(), makeUser()]);
    // Judgments far in the past (days no other test uses): a gets 3 + 2 on one day, b gets 1 that day and 2 the next.
    await judgmentsAt({ campaign: a, labeler: x, n: 3, at: "2002-06-10T08:00:00Z" });
    await judgmentsAt({ campaign: a, labeler: y, n: 2, at: "2002-06-10T09:00:00Z" });
    await judgmentsAt({ campaign: b, labeler: x, n: 1, at: "2002-06-10T10:00:00Z" });
    await judgmentsAt({ campaign: b, labeler: y, n: 2, at: "2002-06-11T10:00:00Z" });
    const days = { from: "2002-06-10", to: "2002-06-11" };
    expect(await labelingActivityByDay({ ...days, campaignId: a.id })).toEqual([
      { day: "2002-06-10", labels: 5, labelers: 2 },
      { day: "2002-06-11", labels: 0, labelers: 0 },
    ]);
    expect(await labelingActivityByDay({ ...days, campaignId: b.id })).toEqual([
      { day: "2002-06-10", labels: 1, labelers: 1 },
      { day: "2002-06-11", labels: 2, labelers: 1 },
    ]);
    expect(await labelingActivityByDay(days)).toEqual([
      { day: "2002-06-10", labels: 6, labelers: 2 },
      { day: "2002-06-11", labels: 2, labelers: 1 },
    ]);

    const snapshot = async (name: string, campaignIds: string[]) => (await createSnapshot({ input: { name, filters: { campaignIds } }, actorId: null })).id;
    const [onA, onB, onBoth] = [await snapshot("dash a", [a.id]), await snapshot("dash b", [b.id]), await snapshot("dash a+b", [a.id, b.id])];
    const accuracy = (v: number) => ({ "reward/accuracy_val": v });
    const before = { reward: (await rewardRounds()).length, ppo: (await ppoRounds()).length };
    // Reward runs: on a's snapshot (the runs form sets both the column and config.snapshotId), on b's
    // (config.snapshotId only, as the worker reads it), on both campaigns', and on a preference file.
    const rewardA = await finishedRun({ kind: "reward", snapshotId: onA, config: { snapshotId: onA }, finishedAt: "2100-03-01T00:00:00Z", checkpointMetrics: accuracy(0.6) });
    const rewardB = await finishedRun({ kind: "reward", config: { snapshotId: onB }, finishedAt: "2100-03-02T00:00:00Z", checkpointMetrics: accuracy(0.7) });
    const rewardBoth = await finishedRun({ kind: "reward", snapshotId: onBoth, config: { snapshotId: onBoth }, finishedAt: "2100-03-03T00:00:00Z", checkpointMetrics: accuracy(0.8) });
    const rewardFile = await finishedRun({ kind: "reward", config: { data: "prefs.jsonl" }, finishedAt: "2100-03-04T00:00:00Z", checkpointMetrics: accuracy(0.9) });
    await finishedRun({ kind: "reward", status: "failed", snapshotId: onA, config: { snapshotId: onA }, finishedAt: "2100-03-05T00:00:00Z", checkpointMetrics: accuracy(0.99) });

    expect((await rewardRounds({ campaignId: a.id })).map((r) => [r.round, r.runId, r.accuracy])).toEqual([
      [1, rewardA.runId, 0.6],
      [2, rewardBoth.runId, 0.8],
    ]);
    expect((await rewardRounds({ campaignId: b.id })).map((r) => [r.round, r.runId, r.accuracy])).toEqual([
      [1, rewardB.runId, 0.7],
      [2, rewardBoth.runId, 0.8],
    ]);
    expect(await rewardRounds()).toHaveLength(before.reward + 4);

    // PPO runs: on a's prompts scored by b's reward model (tied to both), scored by a's reward model
    // with prompts from a file (a only), scored by a reward model from a preference file (neither).
    const kl = (v: number) => ({ "objective/kl": v });
    const ppoPromptsA = await finishedRun({ kind: "ppo", config: { campaignId: a.id, reward: rewardB.storeKey }, finishedAt: "2100-04-01T00:00:00Z", checkpointMetrics: kl(1) });
    const ppoRewardA = await finishedRun({ kind: "ppo", config: { prompts: "p.jsonl", reward: rewardA.storeKey }, finishedAt: "2100-04-02T00:00:00Z", checkpointMetrics: kl(2) });
    await finishedRun({ kind: "ppo", config: { prompts: "p.jsonl", reward: rewardFile.storeKey }, finishedAt: "2100-04-03T00:00:00Z", checkpointMetrics: kl(3) });

    expect((await ppoRounds({ campaignId: a.id })).map((r) => [r.round, r.runId, r.kl])).toEqual([
      [1, ppoPromptsA.runId, 1],
      [2, ppoRewardA.runId, 2],
    ]);
    expect((await ppoRounds({ campaignId: b.id })).map((r) => [r.round, r.runId, r.kl])).toEqual([[1, ppoPromptsA.runId, 1]]);
    expect(await ppoRounds()).toHaveLength(before.ppo + 3);

    // Eval runs, tied the same way: on a's prompts (a), judged by b's reward model (b), judged by a file's reward model (neither).
    const evalResult = { rows: [{ name: "p", meanScore: 1, winRateVsBaseline: 0.6, klToBaseline: 0.5 }, { name: "q", meanScore: 0, winRateVsBaseline: 0.5, klToBaseline: 0 }], optimum: null, prompts: 3 };
    const evalPromptsA = await finishedRun({ kind: "eval", config: { campaignId: a.id, reward: rewardFile.storeKey }, result: evalResult, finishedAt: "2100-06-01T00:00:00Z" });
    const evalRewardB = await finishedRun({ kind: "eval", config: { reward: rewardB.storeKey }, result: evalResult, finishedAt: "2100-06-02T00:00:00Z" });
    await finishedRun({ kind: "eval", config: { reward: rewardFile.storeKey }, result: evalResult, finishedAt: "2100-06-03T00:00:00Z" });
    expect((await evaluations({ campaignId: a.id })).map((e) => e.runId)).toEqual([evalPromptsA.runId]);
    expect((await evaluations({ campaignId: b.id })).map((e) => e.runId)).toEqual([evalRewardB.runId]);

    // The whole dashboard for b, then for an id that names no campaign and for no id at all: every campaign.
    const now = new Date("2002-06-11T12:00:00Z");
    const forB = await researchDashboard({ days: 2, campaignId: b.id, now });
    expect(forB).toMatchObject({ days: 2, campaign: { id: b.id, name: b.name }, unknownCampaign: false });
    expect(forB.activity.map((d) => d.labels)).toEqual([1, 2]);
    expect(forB.rewardRounds.map((r) => r.runId)).toEqual([rewardB.runId, rewardBoth.runId]);
    expect(forB.ppoRounds.map((r) => r.runId)).toEqual([ppoPromptsA.runId]);
    expect(forB.evaluations.map((e) => e.runId)).toEqual([evalRewardB.runId]);
    expect(forB.campaigns).toEqual(expect.arrayContaining([{ id: a.id, name: a.name }, { id: b.id, name: b.name }]));
    for (const campaignId of [randomUUID(), "not-a-campaign"]) {
      const fallback = await researchDashboard({ days: 2, campaignId, now });
      expect(fallback).toMatchObject({ campaign: null, unknownCampaign: true });
      expect(fallback.activity.map((d) => d.labels)).toEqual([6, 2]);
      expect(fallback.rewardRounds).toHaveLength(before.reward + 4);
      expect(fallback.ppoRounds).toHaveLength(before.ppo + 3);
    }
    await expect(rewardRounds({ campaignId: "not-a-campaign" })).rejects.toThrow(/uuid/);
  });

  it("reads the filters from the URL, falling back to 30 days and every campaign", () => {
    const id = randomUUID();
    expect(dashboardFilterSchema.parse({})).toEqual({ campaign: undefined, days: 30 });
    expect(dashboardFilterSchema.parse({ campaign: id, days: "7" })).toEqual({ campaign: id, days: 7 });
    expect(dashboardFilterSchema.parse({ campaign: "", days: "90" })).toEqual({ campaign: undefined, days: 90 });
    for (const days of ["8", "", "7.0", "-30", ["7", "90"]]) expect(dashboardFilterSchema.parse({ days }).days).toBe(30);
    expect(dashboardFilterSchema.parse({ campaign: [id, id] }).campaign).toBeUndefined();
    expect(dashboardFilterSchema.parse({ campaign: "x".repeat(101) }).campaign).toBeUndefined();
  });
});
