/** Builds campaigns with N generated pairs straight in the database, for tests and benchmarks. */
import { randomUUID } from "node:crypto";
import { db } from "@/db/client";
import { campaigns, pairs, prompts, responses } from "@/db/schema";
import type { Choice } from "@/db/values";
import { campaignSettingsSchema, type CampaignSettings } from "@/lib/campaigns/schema";
import { sha256 } from "@/lib/hash";

export async function makeCampaign({
  pairCount,
  overlap = 3,
  gold = [],
  settings = {},
}: {
  pairCount: number;
  overlap?: number;
  gold?: Choice[];
  settings?: Partial<CampaignSettings>;
}) {
  const [campaign] = await db
    .insert(campaigns)
    .values({ name: `test ${randomUUID()}`, overlap, status: "active", settings: campaignSettingsSchema.parse({ goldRate: 0, ...settings }) })
    .returning();
  const total = pairCount + gold.length;
  if (total === 0) return { campaign: campaign!, pairs: [] };
  const promptRows = await db
    .insert(prompts)
    .values(Array.from({ length: total }, (_, i) => ({ campaignId: campaign!.id, content: `prompt ${i}`, contentHash: sha256(`prompt ${i}`) })))
    .returning({ id: prompts.id });
  const responseRows = await db
    .insert(responses)
    .values(
      promptRows.flatMap((p, i) => [
        { promptId: p.id, text: `short ${i}`, textHash: sha256(`short ${i}`) },
        { promptId: p.id, text: `a longer answer ${i}`, textHash: sha256(`a longer answer ${i}`) },
      ]),
    )
    .returning({ id: responses.id });
  const pairRows = await db
    .insert(pairs)
    .values(
      promptRows.map((p, i) => ({
        campaignId: campaign!.id,
        promptId: p.id,
        responseAId: responseRows[2 * i]!.id,
        responseBId: responseRows[2 * i + 1]!.id,
        goldChoice: i >= pairCount ? gold[i - pairCount]! : null,
      })),
    )
    .returning();
  return { campaign: campaign!, pairs: pairRows };
}
