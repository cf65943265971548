import { apiRoute, parseJsonBody } from "@/lib/api/handler";
import { requireApiUser } from "@/lib/auth/guard";
import { getLabelableCampaign } from "@/lib/campaigns/campaigns";
import { AppError } from "@/lib/errors";
import { campaignOfAssignment, submitJudgment } from "@/lib/labeling/queue";
import { submitJudgmentSchema } from "@/lib/labeling/schema";

export const POST = apiRoute(async (request) => {
  const user = await requireApiUser(request);
  const input = await parseJsonBody(request, submitJudgmentSchema);
  const campaignId = await campaignOfAssignment({ assignmentId: input.assignmentId });
  if (!campaignId) throw new AppError("not_found:assignment", "No such task for you.");
  const campaign = await getLabelableCampaign({ campaignId, user });
  const judgment = await submitJudgment({ labeler: user, campaign, input });
  return Response.json({ judgment }, { status: 201 });
});
