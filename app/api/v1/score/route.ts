import { apiRoute, parseJsonBody } from "@/lib/api/handler";
import { requireApiRole } from "@/lib/auth/guard";
import { getCheckpoint } from "@/lib/checkpoints/registry";
import { AppError } from "@/lib/errors";
import { withArticle } from "@/lib/runs/inputs";
import { enqueueRun, runDto, waitForRun } from "@/lib/runs/queue";
import { scoreRequestSchema } from "@/lib/runs/schema";

const WAIT_MS = 60_000;

/**
 * Scores a small batch with a reward model. The web app runs no models: this queues a
 * `score` job for a trainer worker and waits up to a minute for it; 202 with the run when
 * the workers are busy longer than that.
 */
export const POST = apiRoute(async (request) => {
  const user = await requireApiRole(request, "researcher", "admin");
  const { checkpointId, rows } = await parseJsonBody(request, scoreRequestSchema);
  const checkpoint = await getCheckpoint({ checkpointId });
  if (!checkpoint) throw new AppError("not_found:checkpoint", "No such checkpoint.");
  if (checkpoint.kind !== "reward") throw new AppError("bad_request:checkpoint_kind", `Checkpoint ${checkpoint.name} is ${withArticle(checkpoint.kind)} checkpoint, not a reward model.`);
  const queued = await enqueueRun({ kind: "score", config: { checkpoint: checkpoint.storeKey, rows }, createdBy: user.id, parentCheckpointId: checkpoint.id, maxAttempts: 1 });
  const run = await waitForRun({ runId: queued.id, timeoutMs: WAIT_MS });
  if (run?.status === "succeeded") return Response.json({ checkpointId, scores: run.result?.scores ?? [] });
  if (run?.status === "failed") throw new AppError("bad_request:score", `Scoring failed: ${run.error ?? "unknown reason"}`);
  return Response.json({ run: await runDto(run!) }, { status: 202 });
});
