import "server-only";
import { desc, eq, sql } from "drizzle-orm";
import { db } from "@/db/client";
import { campaigns, pairs, type Campaign } from "@/db/schema";

export type CampaignSummary = Pick<Campaign, "id" | "name" | "status" | "overlap" | "createdAt"> & { pairCount: number };

export async function listCampaignSummaries({ status }: { status?: Campaign["status"] } = {}): Promise<CampaignSummary[]> {
  return db
    .select({
      id: campaigns.id,
      name: campaigns.name,
      status: campaigns.status,
      overlap: campaigns.overlap,
      createdAt: campaigns.createdAt,
      pairCount: sql<number>`(select count(*)::int from ${pairs} where ${pairs.campaignId} = ${campaigns.id})`,
    })
    .from(campaigns)
    .where(status ? eq(campaigns.status, status) : undefined)
    .orderBy(desc(campaigns.createdAt));
}
