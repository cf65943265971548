import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { pairs, prompts, responses, type Run } from "@/db/schema";
import { findCheckpointByStoreKey, registerCheckpoint } from "@/lib/checkpoints/registry";
import { promptHash } from "@/lib/hash";
import { enqueueRun, getRun } from "@/lib/runs/queue";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { startTestWorker } from "@/lib/testing/worker";
import { initBackend } from "../backend";
import { checkpointRecord, FolderCheckpointStore, loadCheckpoint, saveCheckpoint } from "../checkpoint";
import { createModel, disposeModel } from "../model";
import { pairUncertainty } from "../rl-math";
import { saveToyCheckpoint, toyTokenizer } from "../rlhf-testing";
import { scoreRows } from "../score";
import { installShippedCheckpoints, shippedModelConfig, shippedSftId } from "../shipped";
import { generatePairs } from "./generate-pairs";
import type { JobContext } from "./types";

describe("generate-pairs job (real Postgres, real worker loop)", () => {
  it("samples responses from a checkpoint, records it as their source, and adds the pairs to the campaign", async () => {
    await initBackend("cpu");
    const store = new FolderCheckpointStore();
    const tokenizer = toyTokenizer();
    const [policyKey, baselineKey] = [`test-policy-${randomUUID().slice(0, 8)}`, `test-sft-${randomUUID().slice(0, 8)}`];
    await saveToyCheckpoint(store, policyKey, tokenizer, { kind: "base", seed: 3 });
    await saveToyCheckpoint(store, baselineKey, tokenizer, { kind: "sft", seed: 4 });
    // The baseline is in the store only (as a CLI-written checkpoint is): startRun accepts it, and so does the job.
    await registerCheckpoint({ record: await checkpointRecord(store, policyKey) });
    const { campaign } = await makeCampaign({ pairCount: 3 });

    const worker = await startTestWorker({ "generate-pairs": generatePairs });
    const run = await enqueueRun({
      kind: "generate-pairs",
      config: { campaignId: campaign.id, checkpoint: policyKey, baseline: baselineKey, prompts: 3, k: 2, maxNewTokens: 6, temperature: 1.5, topP: 1 },
    });
    let done = await getRun({ runId: run.id });
    for (let i = 0; i < 300 && (done?.status === "queued" || done?.status === "running"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      done = await getRun({ runId: run.id });
    }
    await worker.stop();
    expect(done?.error ?? null).toBeNull();
    expect(done?.status).toBe("succeeded");

    const policy = (await findCheckpointByStoreKey({ storeKey: policyKey }))!;
    const created = done!.result!.pairsCreated as number;
    expect(created).toBeGreaterThan(0);
    const rows = await db.select().from(pairs).where(eq(pairs.campaignId, campaign.id));
    expect(rows).toHaveLength(3 + created);
    const generated = await db.select().from(responses).where(eq(responses.checkpointId, policy.id));
    expect(generated.length).toBeGreaterThan(0);
    expect(generated.every((r) => r.source === policyKey && r.metadata.runId === run.id)).toBe(true);
    const fromBaseline = await db.select().from(responses).where(eq(responses.source, baselineKey));
    expect(fromBaseline.length).toBeGreaterThan(0);
    expect(fromBaseline.every((r) => r.checkpointId === null && r.metadata.runId === run.id)).toBe(true);
  }, 120_000);
});

describe("generate-pairs with a reward model (shipped demo-sft, real Postgres)", () => {
  const store = new FolderCheckpointStore();
  const rewardKey = `test-gp-rm-${randomUUID().slice(0, 8)}`;
  const PROMPTS = ["Define: harbor", "Define: lantern", "Define: meadow", "Define: anchor"];
  const SAMPLING = { checkpoint: shippedSftId, prompts: PROMPTS.length, k: 3, maxNewTokens: 10, temperature: 1.2, topP: 1, seed: 5, reward: rewardKey };

  beforeAll(async () => {
    await initBackend("cpu");
    // Base first, so demo-sft is registered with its parent, as the demo seed registers it.
    for (const record of await installShippedCheckpoints(store)) await registerCheckpoint({ record });
    // An untrained reward head over the shipped tokenizer: its scores still differ from text to text.
    const { model, tokenizer } = await loadCheckpoint(store, shippedSftId);
    disposeModel(model);
    const rewardModel = createModel(shippedModelConfig, { seed: 5, heads: ["reward"] });
    await saveCheckpoint(store, { id: rewardKey, model: rewardModel, tokenizer, kind: "reward", parentId: null, backend: "cpu", trainingConfig: {}, metrics: {} });
    disposeModel(rewardModel);
    await registerCheckpoint({ record: await checkpointRecord(store, rewardKey) });
  }, 120_000);

  /** A campaign holding PROMPTS, oldest first in this order, so two campaigns sample identically. */
  async function campaignWithPrompts() {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const t0 = Date.now();
    await db.insert(prompts).values(PROMPTS.map((content, i) => ({ campaignId: campaign.id, content, contentHash: promptHash(content), createdAt: new Date(t0 + i * 1000) })));
    return campaign.id;
  }

  function run(config: Record<string, unknown>) {
    const lines: Array<[string, Record<string, unknown> | undefined]> = [];
    const ctx: JobContext = {
      run: { id: randomUUID(), kind: "generate-pairs", config, parentCheckpointId: null } as unknown as Run,
      backend: "cpu",
      log: (msg, fields) => void lines.push([msg, fields]),
      warn: () => {},
      raiseFlag: async () => {},
      reportSamples: async () => {},
      reportMetrics: async () => {},
      reportProgress: () => {},
      checkpointStep: async () => {},
    };
    return generatePairs(ctx).then((out) => ({ ...out, lines }));
  }

  /** The campaign's pairs with their texts, the stored priority and the uncertainty recomputed from fresh scores. */
  async function pairsWithUncertainty(campaignId: string) {
    const rows = await db.execute<{ prompt: string; a: string; b: string; priority: number }>(sql`
      select pr.content #>> '{}' as prompt, ra.text as a, rb.text as b, p.priority from pairs p
      join prompts pr on pr.id = p.prompt_id join responses ra on ra.id = p.response_a_id join responses rb on rb.id = p.response_b_id
      where p.campaign_id = ${campaignId}`);
    const scored = await scoreRows({ store, checkpointId: rewardKey, rows: rows.map((r) => ({ prompt: r.prompt, response_a: r.a, response_b: r.b })) });
    return rows.map((r, i) => {
      const s = scored[i] as { score_a: number; score_b: number };
      return { key: `${r.prompt}|${r.a}|${r.b}`, priority: r.priority, u: pairUncertainty(s.score_a, s.score_b) };
    });
  }

  it('stores every pair\'s uncertainty with select "all", and keeps exactly the maxPairs most uncertain with select "uncertain"', async () => {
    const all = await run({ ...SAMPLING, campaignId: await campaignWithPrompts(), select: "all" });
    const uncertainCampaign = await campaignWithPrompts();
    const maxPairs = 5;
    const some = await run({ ...SAMPLING, campaignId: uncertainCampaign, select: "uncertain", maxPairs });

    // Every candidate is in the "all" campaign, its priority the uncertainty of fresh scores.
    const candidates = await pairsWithUncertainty(all.result.campaignId as string);
    expect(all.result).toMatchObject({ select: "all", candidatePairs: candidates.length, pairsKept: candidates.length, pairsCreated: candidates.length });
    expect(candidates.length).toBeGreaterThan(maxPairs);
    for (const c of candidates) expect(c.priority).toBeCloseTo(c.u, 6);
    const us = candidates.map((c) => c.u);
    expect(Math.max(...us) - Math.min(...us)).toBeGreaterThan(0.01);

    // The same samples (same prompts, order and seed) scored the same; the kept pairs are the top maxPairs.
    const kept = await pairsWithUncertainty(uncertainCampaign);
    const expected = [...candidates].sort((x, y) => y.u - x.u).slice(0, maxPairs);
    expect(new Set(kept.map((k) => k.key))).toEqual(new Set(expected.map((e) => e.key)));
    for (const k of kept) expect(k.priority).toBeCloseTo(k.u, 6);
    const keptU = kept.map((k) => k.u);
    expect(some.result).toMatchObject({
      reward: rewardKey,
      select: "uncertain",
      maxPairs,
      responsesScored: all.result.responsesScored,
      candidatePairs: candidates.length,
      pairsKept: maxPairs,
      pairsCreated: maxPairs,
    });
    const stats = some.result.uncertainty as { mean: number; min: number; max: number };
    expect(stats.mean).toBeCloseTo(keptU.reduce((a, b) => a + b, 0) / maxPairs, 6);
    expect(stats.min).toBeCloseTo(Math.min(...keptU), 6);
    expect(stats.max).toBeCloseTo(Math.max(...keptU), 6);
    expect(stats.min).toBeGreaterThanOrEqual(Math.max(...candidates.filter((c) => !kept.some((k) => k.key === c.key)).map((c) => c.u)));
    // Every distinct response was scored once: k per prompt at most.
    expect(some.result.responsesScored).toBeLessThanOrEqual(PROMPTS.length * SAMPLING.k);
    expect(some.lines.find(([msg]) => msg === "pairs scored and selected")?.[1]).toMatchObject({ pairsKept: maxPairs, uncertainty: stats });
  }, 240_000);

  it("adds no pair whose A and B swap those of a pair the campaign holds, on a re-run or after the stored pairs were swapped", async () => {
    const campaignId = await campaignWithPrompts();
    const config = { ...SAMPLING, reward: undefined, campaignId };
    const first = await run(config);
    const created = first.result.pairsCreated as number;
    expect(created).toBeGreaterThan(1);
    expect(first.result).toMatchObject({ candidatePairs: created, duplicatesSkipped: 0 });
    const again = await run(config);
    expect(again.result).toMatchObject({ candidatePairs: created, pairsCreated: 0, duplicatesSkipped: created });

    // The same samples again, while the campaign holds each pair with A and B the other way round
    // (as an import of the swapped file would have left it): every candidate is a swap of a stored pair.
    await db.execute(sql`update pairs set response_a_id = response_b_id, response_b_id = response_a_id where campaign_id = ${campaignId}`);
    const swapped = await run(config);
    expect(swapped.result).toMatchObject({ candidatePairs: created, pairsCreated: 0, duplicatesSkipped: created });
    expect(swapped.lines.find(([msg]) => msg === "pairs added")?.[1]).toEqual({ created: 0, duplicatesSkipped: created });
    expect(await db.select().from(pairs).where(eq(pairs.campaignId, campaignId))).toHaveLength(created);
  }, 120_000);

  it("refuses an incomplete selection config, unknown keys and a reward checkpoint without a reward head", async () => {
    const campaignId = await campaignWithPrompts();
    await expect(run({ ...SAMPLING, campaignId, select: "uncertain" })).rejects.toThrow('config.maxPairs: select "uncertain" needs config.maxPairs (how many pairs to keep)');
    await expect(run({ ...SAMPLING, reward: undefined, campaignId, select: "uncertain", maxPairs: 2 })).rejects.toThrow(/select "uncertain" needs config.reward/);
    await expect(run({ ...SAMPLING, campaignId, maxPairs: 2 })).rejects.toThrow(/maxPairs applies to select "uncertain"/);
    await expect(run({ ...SAMPLING, campaignId, k: 1 })).rejects.toThrow(/^config.k: k 1 makes no pairs without config.baseline/);
    await expect(run({ ...SAMPLING, campaignId, maxPair: 2 })).rejects.toThrow(/config: unknown option "maxPair"\. Known: .*maxPairs/);
    await expect(run({ ...SAMPLING, campaignId, topP: 0 })).rejects.toThrow("config: topP must be a number above 0 and at most 1, got 0");
    await expect(run({ ...SAMPLING, campaignId, reward: shippedSftId })).rejects.toThrow(/config.reward: checkpoint demo-sft \(kind sft\) has no reward head/);
    expect(await db.select().from(pairs).where(eq(pairs.campaignId, campaignId))).toHaveLength(0);
  }, 60_000);
});
