import type { Metadata } from "next";
import Link from "next/link";
import type { Campaign, User } from "@/db/schema";
import { requireRole } from "@/lib/auth/guard";
import { campaignDto, getLabelableCampaign, settingsOf } from "@/lib/campaigns/campaigns";
import { isAppError } from "@/lib/errors";
import { notFound } from "next/navigation";
import { cache } from "react";
import { z } from "zod";
import { LabelingWorkspace } from "./workspace";

type Params = { params: Promise<{ campaignId: string }> };

/**
 * The campaign the URL names if this user may label it, read once per request for the title and
 * the page; else a 404. A campaign the user is on but that is not active (paused, finished, not
 * started) comes back as `closed`, with the reason the labeling page itself gives, so a labeler
 * who reloads a paused campaign reads why rather than "not found".
 */
const campaignFor = cache(async (campaignId: string, user: User): Promise<{ campaign: Campaign } | { closed: { name: string; message: string } }> => {
  const id = z.uuid().safeParse(campaignId);
  if (!id.success) notFound();
  try {
    return { campaign: await getLabelableCampaign({ campaignId: id.data, user }) };
  } catch (err) {
    if (isAppError(err) && err.kind === "not_found") notFound();
    // Refused for its status only after the membership check passed, so naming it tells the user nothing new.
    if (isAppError(err) && err.kind === "conflict") return { closed: { name: (await campaignDto({ campaignId: id.data })).name, message: `${err.message} It takes no judgments from you now.` } };
    throw err;
  }
});

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  // The title names the record, so it is guarded as the page is: a 403 or 404 must not name it.
  const user = await requireRole("labeler", "researcher", "admin");
  const found = await campaignFor((await params).campaignId, user);
  return { title: `Label ${"campaign" in found ? found.campaign.name : found.closed.name}` };
}

export default async function LabelCampaignPage({ params }: Params) {
  const user = await requireRole("labeler", "researcher", "admin");
  const found = await campaignFor((await params).campaignId, user);
  if ("closed" in found) {
    return (
      <div className="flex flex-col gap-4">
        <h1 className="text-xl font-semibold">{found.closed.name}</h1>
        <div role="alert" className="rounded-lg border border-slate-200 bg-white p-8 text-center">
          <p className="text-slate-700">{found.closed.message}</p>
          <Link href="/label" className="mt-4 inline-block underline">
            Back to your campaigns
          </Link>
        </div>
      </div>
    );
  }
  const { campaign } = found;
  return <LabelingWorkspace labelerId={user.id} campaign={{ id: campaign.id, name: campaign.name, guidelines: campaign.guidelines, overlap: campaign.overlap, settings: settingsOf(campaign) }} />;
}
