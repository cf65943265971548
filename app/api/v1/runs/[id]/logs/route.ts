import { apiRoute } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { runLogsAfter } from "@/lib/runs/logs";
import { getRun } from "@/lib/runs/queue";
import { runLogsQuerySchema } from "@/lib/runs/schema";

/** The kept tail of a run's worker log, lines numbered above `after`, oldest first. */
export const GET = apiRoute<IdContext>(async (request, { params }) => {
  await requireApiRole(request, "researcher", "admin");
  const runId = await idParam(params, "run");
  const { after } = runLogsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const run = await getRun({ runId });
  if (!run) throw new AppError("not_found:run", "No such run.");
  return Response.json({ logs: await runLogsAfter({ runId, after }), lastSeq: run.logSeq });
});
