import { apiRoute } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { getRun } from "@/lib/runs/queue";
import { lastSampledIteration, runSamplesAfter } from "@/lib/runs/samples";
import { runSamplesQuerySchema } from "@/lib/runs/schema";

/** Sample generations a run stored while it trained: whole iterations above `after` (100 at most), and the newest iteration stored. */
export const GET = apiRoute<IdContext>(async (request, { params }) => {
  await requireApiRole(request, "researcher", "admin");
  const runId = await idParam(params, "run");
  const { after } = runSamplesQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  if (!(await getRun({ runId }))) throw new AppError("not_found:run", "No such run.");
  const [samples, lastIteration] = await Promise.all([runSamplesAfter({ runId, after }), lastSampledIteration({ runId })]);
  return Response.json({ samples, lastIteration });
});
