import { apiRoute } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { getRun, runDto } from "@/lib/runs/queue";

export const GET = apiRoute<IdContext>(async (request, { params }) => {
  await requireApiRole(request, "researcher", "admin");
  const run = await getRun({ runId: await idParam(params, "run") });
  if (!run) throw new AppError("not_found:run", "No such run.");
  return Response.json({ run: await runDto(run) });
});
