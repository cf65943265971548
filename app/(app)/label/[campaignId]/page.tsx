import type { Metadata } from "next";
import { requireRole } from "@/lib/auth/guard";
import { getLabelableCampaign, settingsOf } from "@/lib/campaigns/campaigns";
import { isAppError } from "@/lib/errors";
import { notFound } from "next/navigation";
import { z } from "zod";
import { LabelingWorkspace } from "./workspace";

export const metadata: Metadata = { title: "Labeling" };

export default async function LabelCampaignPage({ params }: { params: Promise<{ campaignId: string }> }) {
  const user = await requireRole("labeler", "researcher", "admin");
  const id = z.uuid().safeParse((await params).campaignId);
  if (!id.success) notFound();
  const campaign = await getLabelableCampaign({ campaignId: id.data, user }).catch((err) => {
    if (isAppError(err) && (err.kind === "not_found" || err.kind === "conflict")) notFound();
    throw err;
  });
  return <LabelingWorkspace campaign={{ id: campaign.id, name: campaign.name, guidelines: campaign.guidelines, overlap: campaign.overlap, settings: settingsOf(campaign) }} />;
}
