import { FolderCheckpointStore } from "../checkpoint";
import { resolveConfig } from "../cli/options";
import { pretrainOptions, runPretrain } from "../pretrain";
import { finishLmJob, loopHooks, outputIdForRun } from "./lm-job";
import type { JobHandler } from "./types";

/**
 * Pretraining as a worker job. run.config holds pretrain options (npm run trainer -- pretrain --help).
 * Always resumes: a run recovered from a dead worker continues from its last saved state.
 */
export const pretrain: JobHandler = async (ctx) => {
  const cfg = resolveConfig(pretrainOptions, { out: outputIdForRun(ctx), ...ctx.run.config, resume: true }, "run config");
  const out = await runPretrain(cfg, { store: new FolderCheckpointStore(), ...loopHooks(ctx, cfg.steps) });
  return finishLmJob(ctx, out);
};
