import { apiRoute } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { cancelRun, runDto } from "@/lib/runs/queue";

/** Cancels a queued run at once; a running one stops within one training step. */
export const POST = apiRoute<IdContext>(async (request, { params }) => {
  const user = await requireApiRole(request, "researcher", "admin");
  const run = await cancelRun({ runId: await idParam(params, "run"), actorId: user.id });
  return Response.json({ run: await runDto(run) });
});
