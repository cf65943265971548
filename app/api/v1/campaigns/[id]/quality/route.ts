import { apiRoute } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { getCampaign } from "@/lib/campaigns/campaigns";
import { campaignQuality } from "@/lib/labeling/quality";

export const GET = apiRoute<IdContext>(async (request, { params }) => {
  await requireApiRole(request, "researcher", "admin");
  const campaign = await getCampaign({ campaignId: await idParam(params, "campaign") });
  return Response.json({ quality: await campaignQuality({ campaignId: campaign.id }) });
});
