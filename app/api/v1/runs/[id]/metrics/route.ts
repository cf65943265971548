import { apiRoute } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { runMetricsSince } from "@/lib/runs/queue";
import { runMetricsQuerySchema } from "@/lib/runs/schema";

export const GET = apiRoute<IdContext>(async (request, { params }) => {
  await requireApiRole(request, "researcher", "admin");
  const runId = await idParam(params, "run");
  const { since, points } = runMetricsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json({ metrics: await runMetricsSince({ runId, since, points }) });
});
