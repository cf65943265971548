import { apiRoute } from "@/lib/api/handler";
import { dateTimeSchema } from "@/lib/api/zod";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { runMetricsSince } from "@/lib/runs/queue";

const sinceSchema = dateTimeSchema.optional();

export const GET = apiRoute<IdContext>(async (request, { params }) => {
  await requireApiRole(request, "researcher", "admin");
  const runId = await idParam(params, "run");
  const since = sinceSchema.parse(new URL(request.url).searchParams.get("since") ?? undefined);
  return Response.json({ metrics: await runMetricsSince({ runId, since }) });
});
