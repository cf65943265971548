import { apiRoute, parseJsonBody } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiUser } from "@/lib/auth/guard";
import { getLabelableCampaign } from "@/lib/campaigns/campaigns";
import { leaseTasks } from "@/lib/labeling/queue";
import { leaseRequestSchema } from "@/lib/labeling/schema";

/** Leases the caller's next pair(s); asking again returns the same live leases. */
export const POST = apiRoute<IdContext>(async (request, { params }) => {
  const user = await requireApiUser(request);
  const campaign = await getLabelableCampaign({ campaignId: await idParam(params, "campaign"), user });
  const { count } = await parseJsonBody(request, leaseRequestSchema);
  const tasks = await leaseTasks({ campaign, labeler: user, count });
  return Response.json({ tasks, done: tasks.length === 0 });
});
