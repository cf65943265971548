import { apiRoute, parseJsonBody } from "@/lib/api/handler";
import { requireApiRole } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { enqueuePlayground } from "@/lib/runs/playground";
import { runDto, waitForRun } from "@/lib/runs/queue";
import { playgroundRequestSchema } from "@/lib/runs/schema";

const WAIT_MS = 60_000;

/**
 * One prompt, a sample from each of two checkpoints, both scored by a reward model. The web
 * app runs no models: this queues a `playground` job and waits up to a minute for a worker;
 * 202 with the run when the workers are busy longer than that (poll /api/v1/runs/{id}).
 */
export const POST = apiRoute(async (request) => {
  const user = await requireApiRole(request, "researcher", "admin");
  const input = await parseJsonBody(request, playgroundRequestSchema);
  const queued = await enqueuePlayground({ input, actorId: user.id });
  const run = await waitForRun({ runId: queued.id, timeoutMs: WAIT_MS });
  if (run?.status === "succeeded") return Response.json({ runId: run.id, ...run.result });
  if (run?.status === "failed") throw new AppError("bad_request:playground", `Sampling failed: ${run.error ?? "unknown reason"}`);
  return Response.json({ run: await runDto(run!) }, { status: 202 });
});
