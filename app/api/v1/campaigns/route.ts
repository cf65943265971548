import { apiRoute, parseJsonBody } from "@/lib/api/handler";
import { requireApiRole, requireApiUser } from "@/lib/auth/guard";
import { campaignDto, createCampaign, listCampaignSummaries, listLabelableCampaigns } from "@/lib/campaigns/campaigns";
import { createCampaignSchema } from "@/lib/campaigns/schema";

export const GET = apiRoute(async (request) => {
  const user = await requireApiUser(request);
  if (user.role === "labeler") return Response.json({ campaigns: await listLabelableCampaigns({ userId: user.id }) });
  return Response.json({ campaigns: await listCampaignSummaries() });
});

export const POST = apiRoute(async (request) => {
  const user = await requireApiRole(request, "researcher", "admin");
  const input = await parseJsonBody(request, createCampaignSchema);
  const campaign = await createCampaign({ input, actorId: user.id });
  return Response.json({ campaign: await campaignDto({ campaignId: campaign.id }) }, { status: 201 });
});
