import "server-only";
import { createHash } from "node:crypto";
import { count, eq } from "drizzle-orm";
import { db } from "@/db/client";
import { campaigns, pairs, prompts, responses, users, type PromptContent } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { demoAccounts, demoCampaign, demoItems } from "./demo-data";

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function promptHash(content: PromptContent): string {
  return sha256(typeof content === "string" ? content : JSON.stringify(content));
}

export async function databaseIsEmpty(): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(users);
  return row!.n === 0;
}

/**
 * Demo accounts and one labeling campaign. Idempotent: every insert skips what exists,
 * so running it twice never duplicates anything.
 */
export async function seedDemo({ password }: { password: string }): Promise<{ users: number; pairs: number }> {
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const createdUsers = await tx
      .insert(users)
      .values(demoAccounts.map((a) => ({ ...a, passwordHash })))
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id });

    let campaign = await tx.query.campaigns.findFirst({ where: eq(campaigns.name, demoCampaign.name) });
    campaign ??= (await tx.insert(campaigns).values({ ...demoCampaign, status: "active" }).returning())[0]!;

    let createdPairs = 0;
    for (const item of demoItems) {
      const contentHash = promptHash(item.prompt);
      await tx.insert(prompts).values({ campaignId: campaign.id, content: item.prompt, contentHash }).onConflictDoNothing();
      const prompt = (await tx.query.prompts.findFirst({
        where: (p, { and, eq }) => and(eq(p.campaignId, campaign.id), eq(p.contentHash, contentHash)),
      }))!;
      const ids: string[] = [];
      for (const text of [item.a, item.b]) {
        await tx.insert(responses).values({ promptId: prompt.id, text, textHash: sha256(text), source: "demo" }).onConflictDoNothing();
        const row = (await tx.query.responses.findFirst({
          where: (r, { and, eq }) => and(eq(r.promptId, prompt.id), eq(r.textHash, sha256(text)), eq(r.source, "demo")),
        }))!;
        ids.push(row.id);
      }
      const inserted = await tx
        .insert(pairs)
        .values({ campaignId: campaign.id, promptId: prompt.id, responseAId: ids[0]!, responseBId: ids[1]! })
        .onConflictDoNothing()
        .returning({ id: pairs.id });
      createdPairs += inserted.length;
    }
    return { users: createdUsers.length, pairs: createdPairs };
  });
}
