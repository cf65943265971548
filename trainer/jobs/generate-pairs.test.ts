import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { pairs, responses } from "@/db/schema";
import { findCheckpointByStoreKey, registerCheckpoint } from "@/lib/checkpoints/registry";
import { enqueueRun, getRun } from "@/lib/runs/queue";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { initBackend } from "../backend";
import { checkpointRecord, FolderCheckpointStore } from "../checkpoint";
import { saveToyCheckpoint, toyTokenizer } from "../rlhf-testing";
import { startWorker } from "../worker-loop";
import { generatePairs } from "./generate-pairs";

describe("generate-pairs job (real Postgres, real worker loop)", () => {
  it("samples responses from a checkpoint, records it as their source, and adds the pairs to the campaign", async () => {
    await initBackend("cpu");
    const store = new FolderCheckpointStore();
    const tokenizer = toyTokenizer();
    const [policyKey, baselineKey] = [`test-policy-${randomUUID().slice(0, 8)}`, `test-sft-${randomUUID().slice(0, 8)}`];
    await saveToyCheckpoint(store, policyKey, tokenizer, { kind: "base", seed: 3 });
    await saveToyCheckpoint(store, baselineKey, tokenizer, { kind: "sft", seed: 4 });
    for (const key of [policyKey, baselineKey]) await registerCheckpoint({ record: await checkpointRecord(store, key) });
    const { campaign } = await makeCampaign({ pairCount: 3 });

    const worker = await startWorker({ backend: "cpu", handlers: { "generate-pairs": generatePairs }, kinds: [], heartbeatTimeoutSeconds: 30, pollMs: 50, logger: pino({ level: "silent" }) });
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
  }, 120_000);
});
