import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { datasetSnapshots, pairs, responses, runs } from "@/db/schema";
import { registerCheckpoint } from "@/lib/checkpoints/registry";
import { sha256 } from "@/lib/hash";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import type { CheckpointRecord } from "@/trainer/checkpoint";
import { runLineage } from "./lineage";
import { enqueueRun, getRun } from "./queue";

const record = (id: string, kind: CheckpointRecord["kind"], parentId: string | null = null): CheckpointRecord => ({
  id,
  kind,
  parentId,
  backend: "cpu",
  sizeBytes: 1,
  paramCount: 1,
  config: {},
  metrics: {},
  createdAt: new Date().toISOString(),
  location: "",
});

describe("run lineage (real Postgres)", () => {
  it("links snapshot -> starting checkpoints -> produced checkpoint -> runs from it -> pairs sampled from it", async () => {
    const tag = randomUUID().slice(0, 8);
    const { campaign: labeled } = await makeCampaign({ pairCount: 1 });
    const [snapshot] = await db
      .insert(datasetSnapshots)
      .values({ name: `snap ${tag}`, filters: { campaignIds: [labeled.id] }, contentHash: sha256(tag), counts: { rows: 7 } })
      .returning();
    const sft = await registerCheckpoint({ record: record(`sft-${tag}`, "sft") });
    const rm = await registerCheckpoint({ record: record(`rm-${tag}`, "reward") });

    // a PPO run from the SFT checkpoint (parent) with a reward model by store key, producing a policy
    const ppo = await enqueueRun({ kind: "ppo", parentCheckpointId: sft.id, snapshotId: snapshot!.id, config: { reward: rm.storeKey, snapshotId: snapshot!.id } });
    const policy = await registerCheckpoint({ record: record(`ppo-${tag}`, "policy", sft.storeKey), runId: ppo.id });
    await db.update(runs).set({ status: "succeeded", outputCheckpointId: policy.id }).where(eq(runs.id, ppo.id));

    // runs started from the policy: one by parent, one by config key; an unrelated one
    const { campaign: target, pairs: [existing] } = await makeCampaign({ pairCount: 1 });
    const gen = await enqueueRun({ kind: "generate-pairs", parentCheckpointId: policy.id, config: { campaignId: target.id } });
    await db.update(runs).set({ status: "succeeded", result: { pairsCreated: 2 } }).where(eq(runs.id, gen.id));
    const evalRun = await enqueueRun({ kind: "eval", config: { policy: policy.storeKey, baseline: sft.storeKey } });
    const unrelated = await enqueueRun({ kind: "eval", config: { policy: sft.storeKey } });

    // two pairs with a sampled side: one policy-vs-policy, one policy-vs-imported
    const [a, b] = await db
      .insert(responses)
      .values([
        { promptId: existing!.promptId, text: `p1 ${tag}`, textHash: sha256(`p1 ${tag}`), source: policy.name, checkpointId: policy.id },
        { promptId: existing!.promptId, text: `p2 ${tag}`, textHash: sha256(`p2 ${tag}`), source: policy.name, checkpointId: policy.id },
      ])
      .returning();
    await db.insert(pairs).values([
      { campaignId: target.id, promptId: existing!.promptId, responseAId: a!.id, responseBId: b!.id },
      { campaignId: target.id, promptId: existing!.promptId, responseAId: existing!.responseAId, responseBId: a!.id },
    ]);

    const lineage = await runLineage({ run: (await getRun({ runId: ppo.id }))! });
    expect(lineage.snapshot).toEqual({ id: snapshot!.id, name: `snap ${tag}`, contentHash: sha256(tag), rows: 7, campaigns: [{ id: labeled.id, name: labeled.name }] });
    expect(lineage.inputs).toEqual([
      { role: "parent", storeKey: sft.storeKey, checkpoint: { id: sft.id, name: sft.name, kind: "sft", storeKey: sft.storeKey, runId: null } },
      { role: "config.reward", storeKey: rm.storeKey, checkpoint: { id: rm.id, name: rm.name, kind: "reward", storeKey: rm.storeKey, runId: null } },
    ]);
    expect(lineage.produced).toHaveLength(1);
    const [produced] = lineage.produced;
    expect(produced).toMatchObject({ id: policy.id, kind: "policy", runId: ppo.id });
    expect(produced!.usedBy.map((r) => r.id).sort()).toEqual([gen.id, evalRun.id].sort());
    expect(produced!.pairs).toEqual([{ campaignId: target.id, campaignName: target.name, pairs: 2 }]);
    expect(lineage.addedTo).toBeNull();
    expect(lineage.configCampaign).toBeNull();

    const genLineage = await runLineage({ run: (await getRun({ runId: gen.id }))! });
    expect(genLineage.inputs.map((i) => [i.role, i.checkpoint?.id])).toEqual([["parent", policy.id]]);
    expect(genLineage.addedTo).toEqual({ campaignId: target.id, campaignName: target.name, pairs: 2 });
    expect(genLineage.configCampaign).toEqual({ id: target.id, name: target.name });
    expect(genLineage.snapshot).toBeNull();
    expect(genLineage.produced).toEqual([]);
    // no worker of another test file should pick these up
    for (const id of [evalRun.id, unrelated.id]) await db.update(runs).set({ status: "cancelled" }).where(eq(runs.id, id));
  });

  it("names the campaign a config names for any kind, and none for an id no campaign has or a name", async () => {
    const { campaign } = await makeCampaign({ pairCount: 1 });
    const named = await enqueueRun({ kind: "ppo", config: { campaignId: campaign.id } });
    const gone = await enqueueRun({ kind: "generate-pairs", config: { campaignId: randomUUID() } });
    const typed = await enqueueRun({ kind: "generate-pairs", config: { campaignId: "HC loop" } });
    expect((await runLineage({ run: named })).configCampaign).toEqual({ id: campaign.id, name: campaign.name });
    expect((await runLineage({ run: gone })).configCampaign).toBeNull();
    // Not queried: "HC loop" is no uuid, and the query would fail.
    expect(await runLineage({ run: typed })).toMatchObject({ configCampaign: null, addedTo: { campaignId: "HC loop", campaignName: null } });
    for (const { id } of [named, gone, typed]) await db.update(runs).set({ status: "cancelled" }).where(eq(runs.id, id));
  });

  it("names the preference file a reward run without a snapshot read", async () => {
    const fromFile = await enqueueRun({ kind: "reward", config: { base: "demo-sft", data: "/data/prefs.jsonl" } });
    const fromNothing = await enqueueRun({ kind: "reward", config: { base: "demo-sft" } });
    expect((await runLineage({ run: fromFile })).dataFile).toBe("/data/prefs.jsonl");
    expect((await runLineage({ run: fromNothing })).dataFile).toBeNull();
    for (const { id } of [fromFile, fromNothing]) await db.update(runs).set({ status: "cancelled" }).where(eq(runs.id, id));
  });

  it("names a config checkpoint that is not registered", async () => {
    const run = await enqueueRun({ kind: "sft", config: { base: "not-registered-anywhere" } });
    const lineage = await runLineage({ run });
    expect(lineage.inputs).toEqual([{ role: "config.base", storeKey: "not-registered-anywhere", checkpoint: null }]);
    await db.update(runs).set({ status: "cancelled" }).where(eq(runs.id, run.id));
  });
});
