import { apiRoute } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { getRun } from "@/lib/runs/queue";
import { runSamplesAfter } from "@/lib/runs/samples";
import { runSamplesQuerySchema } from "@/lib/runs/schema";

/** Sample generations a run stored while it trained, iterations above `after`. */
export const GET = apiRoute<IdContext>(async (request, { params }) => {
  await requireApiRole(request, "researcher", "admin");
  const runId = await idParam(params, "run");
  const { after } = runSamplesQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  if (!(await getRun({ runId }))) throw new AppError("not_found:run", "No such run.");
  return Response.json({ samples: await runSamplesAfter({ runId, after }) });
});
