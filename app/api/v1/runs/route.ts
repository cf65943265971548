import { apiRoute, parseJsonBody } from "@/lib/api/handler";
import { requireApiRole } from "@/lib/auth/guard";
import { listRecentRuns, runDto, runDtos, startRun } from "@/lib/runs/queue";
import { createRunSchema, listRunsQuerySchema } from "@/lib/runs/schema";

export const GET = apiRoute(async (request) => {
  await requireApiRole(request, "researcher", "admin");
  const { limit } = listRunsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const runs = await listRecentRuns({ limit });
  return Response.json({ runs: await runDtos(runs) });
});

export const POST = apiRoute(async (request) => {
  const user = await requireApiRole(request, "researcher", "admin");
  const input = await parseJsonBody(request, createRunSchema);
  const run = await startRun({ input, actorId: user.id });
  return Response.json({ run: await runDto(run) }, { status: 201 });
});
