import "server-only";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { db } from "@/db/client";
import { campaignMembers, campaigns, users, type Campaign, type PromptContent, type User } from "@/db/schema";
import { recordAudit } from "@/lib/audit/audit";
import { AppError } from "@/lib/errors";
import {
  campaignSettingsSchema,
  createCampaignSchema,
  updateCampaignSchema,
  type CampaignDto,
  type CampaignSettings,
  type CreateCampaignInput,
  type UpdateCampaignInput,
} from "./schema";

export function settingsOf(campaign: Pick<Campaign, "settings">): CampaignSettings {
  return campaignSettingsSchema.parse(campaign.settings ?? {});
}

export type CampaignSummary = Pick<Campaign, "id" | "name" | "status" | "overlap" | "createdAt"> & {
  pairCount: number;
  completedPairs: number;
};

/**
 * A campaign's non-gold pairs and those with `overlap` judgments, selected from campaigns: the
 * campaign list and the campaign page's quality card read them. From the pairs by judgment count
 * that the triggers of migration 0014 keep: a few rows however many pairs the campaign has.
 */
export const completionColumns = {
  // Raw names: drizzle leaves column references unqualified, which inside a subquery would
  // resolve to the subquery's own table.
  pairCount: sql<number>`(select coalesce(sum(k.pairs), 0)::int from campaign_pair_counts k where k.campaign_id = campaigns.id)`,
  completedPairs: sql<number>`(select coalesce(sum(k.pairs), 0)::int from campaign_pair_counts k where k.campaign_id = campaigns.id and k.judgment_count >= campaigns.overlap)`,
};

const summaryColumns = {
  id: campaigns.id,
  name: campaigns.name,
  status: campaigns.status,
  overlap: campaigns.overlap,
  createdAt: campaigns.createdAt,
  ...completionColumns,
};

export async function listCampaignSummaries({ status }: { status?: Campaign["status"] } = {}): Promise<CampaignSummary[]> {
  return db
    .select(summaryColumns)
    .from(campaigns)
    .where(status ? eq(campaigns.status, status) : undefined)
    .orderBy(desc(campaigns.createdAt));
}

/** A labeler may work on a campaign with no member list, or one that names them. */
function memberCondition(userId: string) {
  return sql`(not exists (select 1 from campaign_members m where m.campaign_id = campaigns.id)
              or exists (select 1 from campaign_members m where m.campaign_id = campaigns.id and m.user_id = ${userId}))`;
}

/** Active campaigns this user may label, with their own remaining work. */
export async function listLabelableCampaigns({ userId }: { userId: string }) {
  return db
    .select({
      ...summaryColumns,
      judgedByMe: sql<number>`(select count(*)::int from comparisons c where c.campaign_id = campaigns.id and c.labeler_id = ${userId})`,
      // Pairs the labeling page would still show this labeler: those they hold (leaseTasks serves
      // a live lease again, and the page leases the next pair ahead, so one who stopped mid-way
      // holds one or two) and those the queue could lease them (lib/labeling/queue.ts
      // lockCandidates, less other labelers' leases, which may lapse). Not those they judged or skipped.
      openForMe: sql<number>`(select count(*)::int from pairs p
        where p.campaign_id = campaigns.id and p.gold_choice is null and p.swap_of is null and p.judgment_count < campaigns.overlap
          and not exists (select 1 from assignments a where a.pair_id = p.id and a.labeler_id = ${userId} and a.status <> 'active'))`,
    })
    .from(campaigns)
    .where(and(eq(campaigns.status, "active"), memberCondition(userId)))
    .orderBy(desc(campaigns.createdAt));
}

export async function getCampaign({ campaignId }: { campaignId: string }): Promise<Campaign> {
  const campaign = await db.query.campaigns.findFirst({ where: eq(campaigns.id, campaignId) });
  if (!campaign) throw new AppError("not_found:campaign", "No such campaign.");
  return campaign;
}

/** The campaign, if `user` may label it now (active, and a member when it has a list). */
export async function getLabelableCampaign({ campaignId, user }: { campaignId: string; user: User }): Promise<Campaign> {
  const [campaign] = await db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.id, campaignId), memberCondition(user.id)));
  if (!campaign) throw new AppError("not_found:campaign", "No such campaign, or you are not on it.");
  if (campaign.status !== "active") throw new AppError("conflict:campaign_not_active", `This campaign is ${campaign.status}, not active.`);
  return campaign;
}

export async function campaignDto({ campaignId }: { campaignId: string }): Promise<CampaignDto> {
  const [row] = await db.select({ ...summaryColumns, guidelines: campaigns.guidelines, settings: campaigns.settings }).from(campaigns).where(eq(campaigns.id, campaignId));
  if (!row) throw new AppError("not_found:campaign", "No such campaign.");
  const members = await db.select({ userId: campaignMembers.userId }).from(campaignMembers).where(eq(campaignMembers.campaignId, campaignId));
  return {
    id: row.id,
    name: row.name,
    guidelines: row.guidelines,
    overlap: row.overlap,
    status: row.status,
    settings: settingsOf(row),
    labelerIds: members.map((m) => m.userId),
    pairCount: row.pairCount,
    completedPairs: row.completedPairs,
    createdAt: row.createdAt.toISOString(),
  };
}

type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

/** Whether `userId` may take pairs of the campaign: it has no member list, or the list names them. */
export async function mayLabel({ tx, campaignId, userId }: { tx?: Tx; campaignId: string; userId: string }): Promise<boolean> {
  const [row] = await (tx ?? db).execute<{ ok: boolean }>(sql`
    select not exists (select 1 from campaign_members where campaign_id = ${campaignId})
        or exists (select 1 from campaign_members where campaign_id = ${campaignId} and user_id = ${userId}) as ok`);
  return row!.ok;
}

/** Replaces the member list; returns the emails added and removed, for the audit log. */
async function setMembers(tx: Tx, campaignId: string, labelerIds: string[]): Promise<{ added: string[]; removed: string[] }> {
  const wanted = [...new Set(labelerIds)];
  const before = await tx
    .select({ id: users.id, email: users.email })
    .from(campaignMembers)
    .innerJoin(users, eq(users.id, campaignMembers.userId))
    .where(eq(campaignMembers.campaignId, campaignId));
  const found = wanted.length ? await tx.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, wanted)) : [];
  if (found.length !== wanted.length) throw new AppError("bad_request:labelers", "Some labeler ids do not exist.");
  await tx.delete(campaignMembers).where(eq(campaignMembers.campaignId, campaignId));
  if (wanted.length) await tx.insert(campaignMembers).values(wanted.map((userId) => ({ campaignId, userId })));
  const had = new Set(before.map((m) => m.id));
  return {
    added: found.filter((u) => !had.has(u.id)).map((u) => u.email).sort(),
    removed: before.filter((m) => !wanted.includes(m.id)).map((m) => m.email).sort(),
  };
}

/** A membership change in the audit log: who may now label, and who may no longer. */
async function auditMembers(tx: Tx, actorId: string, campaignId: string, change: { added: string[]; removed: string[] }, memberCount: number) {
  if (!change.added.length && !change.removed.length) return;
  await recordAudit({
    tx,
    actorId,
    action: "campaign.members_changed",
    targetType: "campaign",
    targetId: campaignId,
    details: { ...change, openToAllLabelers: memberCount === 0 },
  });
}

export async function createCampaign({ input, actorId }: { input: CreateCampaignInput; actorId: string }): Promise<Campaign> {
  const data = createCampaignSchema.parse(input);
  return db.transaction(async (tx) => {
    const [campaign] = await tx
      .insert(campaigns)
      .values({
        name: data.name,
        guidelines: data.guidelines,
        overlap: data.overlap,
        status: data.status,
        settings: campaignSettingsSchema.parse(data.settings),
        createdBy: actorId,
      })
      .returning();
    const members = await setMembers(tx, campaign!.id, data.labelerIds);
    await recordAudit({ tx, actorId, action: "campaign.created", targetType: "campaign", targetId: campaign!.id });
    await auditMembers(tx, actorId, campaign!.id, members, data.labelerIds.length);
    return campaign!;
  });
}

export async function updateCampaign({ campaignId, input, actorId }: { campaignId: string; input: UpdateCampaignInput; actorId: string }): Promise<Campaign> {
  const data = updateCampaignSchema.parse(input);
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(campaigns).where(eq(campaigns.id, campaignId)).for("update");
    if (!before) throw new AppError("not_found:campaign", "No such campaign.");
    const [campaign] = await tx
      .update(campaigns)
      .set({
        name: data.name,
        guidelines: data.guidelines,
        overlap: data.overlap,
        status: data.status,
        settings: data.settings ? campaignSettingsSchema.parse({ ...settingsOf(before), ...data.settings }) : undefined,
        updatedAt: new Date(),
      })
      .where(eq(campaigns.id, campaignId))
      .returning();
    await recordAudit({ tx, actorId, action: "campaign.updated", targetType: "campaign", targetId: campaignId, details: { fields: Object.keys(data) } });
    if (data.labelerIds) await auditMembers(tx, actorId, campaignId, await setMembers(tx, campaignId, data.labelerIds), new Set(data.labelerIds).size);
    return campaign!;
  });
}

/** The campaign's prompts, oldest first (all of them without a limit): what generate-pairs samples for and ppo can train on. */
export async function listCampaignPrompts({ campaignId, limit }: { campaignId: string; limit?: number }) {
  return db.execute<{ id: string; content: PromptContent }>(sql`
    select id, content from prompts where campaign_id = ${campaignId} order by created_at, id limit ${limit ?? null}`);
}
