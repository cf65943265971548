import "server-only";
import { eq } from "drizzle-orm";
import { db } from "@/db/client";
import { campaigns, pairs, prompts, responses, users } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { promptHash, sha256 } from "@/lib/hash";
import { registerCheckpoint } from "@/lib/checkpoints/registry";
import { initBackend } from "@/trainer/backend";
import { type CheckpointStore, FolderCheckpointStore, loadCheckpoint } from "@/trainer/checkpoint";
import { generate } from "@/trainer/generate";
import { disposeModel } from "@/trainer/model";
import { formatPrompt, parseResponse } from "@/trainer/prompt-format";
import { installShippedCheckpoints, shippedSftId } from "@/trainer/shipped";
import { demoAccounts, demoCampaign, demoMaxNewTokens, demoPrompts, demoSampling } from "./demo-data";

type Answer = { text: string; sampling: (typeof demoSampling)[number] };

/**
 * Two different answers per prompt from the shipped SFT model: one batch per sampling setting,
 * later settings only for prompts whose first answers were identical or empty.
 */
async function sampleAnswers(checkpointId: string, store: CheckpointStore, promptTexts: string[]): Promise<Answer[][]> {
  await initBackend();
  const { model, tokenizer } = await loadCheckpoint(store, checkpointId);
  try {
    const answers: Answer[][] = promptTexts.map(() => []);
    for (const sampling of demoSampling) {
      const todo = promptTexts.map((_, i) => i).filter((i) => answers[i].length < 2);
      if (!todo.length) break;
      const out = generate(
        model,
        tokenizer,
        todo.map((i) => formatPrompt(promptTexts[i])),
        { maxNewTokens: demoMaxNewTokens, temperature: sampling.temperature, topP: sampling.topP, seed: sampling.seed, stop: ["\n"] },
      );
      out.forEach((g, k) => {
        const text = parseResponse(g.text);
        const mine = answers[todo[k]];
        if (text && !mine.some((a) => a.text === text)) mine.push({ text, sampling });
      });
    }
    return answers;
  } finally {
    disposeModel(model);
  }
}

/**
 * Demo accounts, one labeling campaign, and the shipped checkpoints: the base and SFT models are
 * copied into the checkpoint store (CHECKPOINT_DIR) when missing and registered, and each demo
 * prompt gets a pair of two answers sampled from the SFT model. Idempotent: prompts that already
 * have a pair are not sampled again and every insert skips what exists, so a second run adds nothing.
 */
export async function seedDemo({
  password,
  store = new FolderCheckpointStore(),
}: {
  password: string;
  /** The checkpoint store the shipped models are installed into; default CHECKPOINT_DIR. */
  store?: CheckpointStore;
}): Promise<{ users: number; pairs: number }> {
  const passwordHash = await hashPassword(password);
  const records = await installShippedCheckpoints(store);
  const checkpointRows = [];
  for (const record of records) checkpointRows.push(await registerCheckpoint({ record }));
  const sft = checkpointRows.find((c) => c.storeKey === shippedSftId)!;

  // 1. Accounts, campaign, prompts; which prompts still lack a pair.
  const { createdUsers, campaignId, missing } = await db.transaction(async (tx) => {
    const created = await tx
      .insert(users)
      .values(demoAccounts.map((a) => ({ ...a, passwordHash })))
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id });
    let campaign = await tx.query.campaigns.findFirst({ where: eq(campaigns.name, demoCampaign.name) });
    campaign ??= (await tx.insert(campaigns).values({ ...demoCampaign, status: "active" }).returning())[0]!;
    const withPair = new Set((await tx.select({ promptId: pairs.promptId }).from(pairs).where(eq(pairs.campaignId, campaign.id))).map((p) => p.promptId));
    const todo: Array<{ id: string; text: string }> = [];
    for (const text of demoPrompts) {
      const contentHash = promptHash(text);
      await tx.insert(prompts).values({ campaignId: campaign.id, content: text, contentHash }).onConflictDoNothing();
      const prompt = (await tx.query.prompts.findFirst({
        where: (p, { and, eq }) => and(eq(p.campaignId, campaign.id), eq(p.contentHash, contentHash)),
      }))!;
      if (!withPair.has(prompt.id)) todo.push({ id: prompt.id, text });
    }
    return { createdUsers: created.length, campaignId: campaign.id, missing: todo };
  });
  if (!missing.length) return { users: createdUsers, pairs: 0 };

  // 2. Sample outside the transaction (CPU work), then write responses and pairs in one.
  const answers = await sampleAnswers(shippedSftId, store, missing.map((m) => m.text));
  const createdPairs = await db.transaction(async (tx) => {
    let n = 0;
    for (const [i, prompt] of missing.entries()) {
      if (answers[i].length < 2) continue;
      const ids: string[] = [];
      for (const { text, sampling } of answers[i].slice(0, 2)) {
        const textHash = sha256(text);
        await tx
          .insert(responses)
          .values({ promptId: prompt.id, text, textHash, source: sft.name, checkpointId: sft.id, metadata: { ...sampling, maxNewTokens: demoMaxNewTokens } })
          .onConflictDoNothing();
        const row = (await tx.query.responses.findFirst({
          where: (r, { and, eq }) => and(eq(r.promptId, prompt.id), eq(r.textHash, textHash), eq(r.source, sft.name)),
        }))!;
        ids.push(row.id);
      }
      const inserted = await tx
        .insert(pairs)
        .values({ campaignId, promptId: prompt.id, responseAId: ids[0]!, responseBId: ids[1]! })
        .onConflictDoNothing()
        .returning({ id: pairs.id });
      n += inserted.length;
    }
    return n;
  });
  return { users: createdUsers, pairs: createdPairs };
}
