/**
 * Scores a small batch with a reward model, for `POST /api/v1/score`: the web app never
 * runs models itself, it queues this job and waits for the result.
 * run.config: checkpoint (store key), rows ({prompt, response} or {prompt, response_a, response_b}).
 */
import { scoreConfigProblems, refuseProblems } from "@/lib/runs/config-rules";
import { FolderCheckpointStore } from "../checkpoint";
import { parseScoreRow, scoreRows } from "../score";
import type { JobHandler } from "./types";

export const score: JobHandler = async (ctx) => {
  const { checkpoint, rows } = ctx.run.config as { checkpoint?: unknown; rows?: unknown };
  if (typeof checkpoint !== "string" || !checkpoint) throw new Error("a score run needs config.checkpoint");
  // The rules startRun checks before a run is queued (lib/runs/config-rules.ts), again for a run queued another way.
  refuseProblems(scoreConfigProblems(ctx.run.config));
  const parsed = (rows as unknown[]).map((r, i) => parseScoreRow(r, `row ${i + 1}`));
  await ctx.checkpointStep();
  const scores = await scoreRows({ store: new FolderCheckpointStore(), checkpointId: checkpoint, rows: parsed });
  return { result: { checkpoint, scores } };
};
