import { getCheckpoint } from "@/lib/checkpoints/registry";
import { FolderCheckpointStore } from "../checkpoint";
import { resolveConfig } from "../cli/options";
import { runSft, sftOptions } from "../sft";
import { finishLmJob, loopHooks, outputIdForRun } from "./lm-job";
import type { JobHandler } from "./types";

/**
 * SFT as a worker job. run.config holds sft options (npm run trainer -- sft --help); the base is
 * config.base (a store key) or else the run's parent checkpoint. Always resumes after a crash.
 */
export const sft: JobHandler = async (ctx) => {
  let base = typeof ctx.run.config.base === "string" ? ctx.run.config.base : "";
  if (!base && ctx.run.parentCheckpointId) base = (await getCheckpoint({ checkpointId: ctx.run.parentCheckpointId }))?.storeKey ?? "";
  if (!base) throw new Error("an sft run needs config.base or a parent checkpoint");
  const cfg = resolveConfig(sftOptions, { out: outputIdForRun(ctx), ...ctx.run.config, base, resume: true }, "run config");
  const out = await runSft(cfg, { store: new FolderCheckpointStore(), ...loopHooks(ctx, cfg.steps) });
  return finishLmJob(ctx, out);
};
