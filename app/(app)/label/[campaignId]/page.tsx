import type { Metadata } from "next";
import type { User } from "@/db/schema";
import { requireRole } from "@/lib/auth/guard";
import { getLabelableCampaign, settingsOf } from "@/lib/campaigns/campaigns";
import { isAppError } from "@/lib/errors";
import { notFound } from "next/navigation";
import { cache } from "react";
import { z } from "zod";
import { LabelingWorkspace } from "./workspace";

type Params = { params: Promise<{ campaignId: string }> };

/** The campaign the URL names if this user may label it, read once per request for the title and the page; else a 404. */
const campaignFor = cache(async (campaignId: string, user: User) => {
  const id = z.uuid().safeParse(campaignId);
  if (!id.success) notFound();
  return getLabelableCampaign({ campaignId: id.data, user }).catch((err) => {
    if (isAppError(err) && (err.kind === "not_found" || err.kind === "conflict")) notFound();
    throw err;
  });
});

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  // The title names the record, so it is guarded as the page is: a 403 or 404 must not name it.
  const user = await requireRole("labeler", "researcher", "admin");
  return { title: `Label ${(await campaignFor((await params).campaignId, user)).name}` };
}

export default async function LabelCampaignPage({ params }: Params) {
  const user = await requireRole("labeler", "researcher", "admin");
  const campaign = await campaignFor((await params).campaignId, user);
  return <LabelingWorkspace campaign={{ id: campaign.id, name: campaign.name, guidelines: campaign.guidelines, overlap: campaign.overlap, settings: settingsOf(campaign) }} />;
}
