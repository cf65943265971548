import { apiRoute, parseJsonBody } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole, requireApiUser } from "@/lib/auth/guard";
import { campaignDto, getLabelableCampaign, updateCampaign } from "@/lib/campaigns/campaigns";
import { updateCampaignSchema } from "@/lib/campaigns/schema";

export const GET = apiRoute<IdContext>(async (request, { params }) => {
  const user = await requireApiUser(request);
  const campaignId = await idParam(params, "campaign");
  // Labelers see only campaigns they may work on, and not who else is on them.
  if (user.role === "labeler") {
    await getLabelableCampaign({ campaignId, user });
    const { labelerIds: _hidden, ...campaign } = await campaignDto({ campaignId });
    return Response.json({ campaign });
  }
  return Response.json({ campaign: await campaignDto({ campaignId }) });
});

export const PATCH = apiRoute<IdContext>(async (request, { params }) => {
  const user = await requireApiRole(request, "researcher", "admin");
  const campaignId = await idParam(params, "campaign");
  const input = await parseJsonBody(request, updateCampaignSchema);
  await updateCampaign({ campaignId, input, actorId: user.id });
  return Response.json({ campaign: await campaignDto({ campaignId }) });
});
