import { apiRoute, parseJsonBody } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiUser } from "@/lib/auth/guard";
import { skipTask } from "@/lib/labeling/queue";
import { skipSchema } from "@/lib/labeling/schema";

export const POST = apiRoute<IdContext>(async (request, { params }) => {
  const user = await requireApiUser(request);
  const assignmentId = await idParam(params, "assignment");
  const input = await parseJsonBody(request, skipSchema);
  await skipTask({ labeler: user, assignmentId, input });
  return new Response(null, { status: 204 });
});
