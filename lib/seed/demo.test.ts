import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { count, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { campaigns, checkpoints, pairs, prompts, responses, users } from "@/db/schema";
import { FolderCheckpointStore } from "@/trainer/checkpoint";
import { readHeldoutHeadwords } from "@/trainer/data/corpus";
import { demoAccounts, demoCampaign, demoPrompts } from "./demo-data";
import { seedDemo } from "./demo";

async function counts() {
  const [u] = await db.select({ n: count() }).from(users);
  const [p] = await db.select({ n: count() }).from(prompts);
  const [r] = await db.select({ n: count() }).from(responses);
  const [pa] = await db.select({ n: count() }).from(pairs);
  const [c] = await db.select({ n: count() }).from(checkpoints);
  return { users: u!.n, prompts: p!.n, responses: r!.n, pairs: pa!.n, checkpoints: c!.n };
}

describe("demo seed", () => {
  const root = path.join(os.tmpdir(), `pairwise-seed-${process.pid}`);
  const store = new FolderCheckpointStore(root);
  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  it("uses 20+ held-out Define: prompts", () => {
    const held = new Set(readHeldoutHeadwords());
    expect(demoPrompts.length).toBeGreaterThanOrEqual(20);
    for (const p of demoPrompts) expect(held.has(p.replace(/^Define: /, ""))).toBe(true);
  });

  it("creates the accounts, an active campaign and 20+ pairs sampled from the shipped SFT model; a second run adds nothing", async () => {
    const t0 = performance.now();
    const first = await seedDemo({ password: "pairwise-demo", store });
    const firstMs = performance.now() - t0;
    const after = await counts();
    const second = await seedDemo({ password: "pairwise-demo", store });
    expect(second).toEqual({ users: 0, pairs: 0 });
    expect(await counts()).toEqual(after);
    expect(first.pairs).toBe(demoPrompts.length);
    console.log(`demo seed: ${first.pairs} pairs in ${(firstMs / 1000).toFixed(2)} s`);

    const emails = (await db.select({ email: users.email }).from(users)).map((u) => u.email);
    for (const a of demoAccounts) expect(emails).toContain(a.email);
    const campaign = await db.query.campaigns.findFirst({ where: eq(campaigns.name, demoCampaign.name) });
    expect(campaign?.status).toBe("active");
    const campaignPairs = await db.query.pairs.findMany({ where: eq(pairs.campaignId, campaign!.id) });
    expect(campaignPairs.length).toBeGreaterThanOrEqual(20);

    // The shipped SFT checkpoint is installed in the store and registered (its base too where it was rebuilt).
    expect(await store.list()).toContain("demo-sft");
    const sft = await db.query.checkpoints.findFirst({ where: eq(checkpoints.storeKey, "demo-sft") });
    const base = await db.query.checkpoints.findFirst({ where: eq(checkpoints.storeKey, "demo-base") });
    expect(sft).toMatchObject({ kind: "sft", name: "demo-sft", parentId: base?.id ?? null });

    // Every pair: two different, non-empty answers from that checkpoint, with their sampling settings.
    for (const pair of campaignPairs) {
      const [a, b] = await Promise.all([pair.responseAId, pair.responseBId].map((id) => db.query.responses.findFirst({ where: eq(responses.id, id) })));
      for (const r of [a!, b!]) {
        expect(r).toMatchObject({ source: "demo-sft", checkpointId: sft!.id });
        expect(r.text.length).toBeGreaterThan(0);
        expect(r.metadata).toHaveProperty("temperature");
      }
      expect(a!.text).not.toBe(b!.text);
    }
  });
});
