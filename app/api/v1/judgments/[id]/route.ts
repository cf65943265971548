import { apiRoute, parseJsonBody } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiUser } from "@/lib/auth/guard";
import { getLabelableCampaign } from "@/lib/campaigns/campaigns";
import { AppError } from "@/lib/errors";
import { campaignOfJudgment, editJudgment, undoJudgment } from "@/lib/labeling/queue";
import { editJudgmentSchema } from "@/lib/labeling/schema";

async function ownCampaign(request: Request, params: IdContext["params"]) {
  const user = await requireApiUser(request);
  const judgmentId = await idParam(params, "judgment");
  const campaignId = await campaignOfJudgment({ judgmentId });
  if (!campaignId) throw new AppError("not_found:judgment", "No such judgment of yours.");
  return { user, judgmentId, campaign: await getLabelableCampaign({ campaignId, user }) };
}

/** Changes a judgment within the campaign's undo window. */
export const PATCH = apiRoute<IdContext>(async (request, { params }) => {
  const { user, judgmentId, campaign } = await ownCampaign(request, params);
  const input = await parseJsonBody(request, editJudgmentSchema);
  return Response.json({ judgment: await editJudgment({ labeler: user, campaign, judgmentId, input }) });
});

/** Undoes a judgment within the window; the pair comes back as the caller's task. */
export const DELETE = apiRoute<IdContext>(async (request, { params }) => {
  const { user, judgmentId, campaign } = await ownCampaign(request, params);
  return Response.json({ task: await undoJudgment({ labeler: user, campaign, judgmentId }) });
});
