import { FolderCheckpointStore } from "../checkpoint";
import { resolveConfig } from "../cli/options";
import { corpusFiles, heldoutPrompts, readCorpusDocs } from "../data/corpus";
import { evalOptions, evaluatePolicies } from "../eval";
import { evalJobKeys } from "./job-keys";
import { promptsForRun, readRunFile, startCheckpoint, takeKeys } from "./rlhf-job";
import type { JobHandler } from "./types";

/**
 * Policy evaluation as a worker job, so its table is stored as the run's result. run.config:
 * policy (checkpoint id; else the run's parent checkpoint), baseline, reward (checkpoint ids), the
 * prompts from one source: prompts (a prompts file), else campaignId (at most promptLimit of the
 * campaign's prompts), else the committed held-out headwords; text (held-out text; default the
 * committed held-out corpus; "none" skips perplexity), and any eval option.
 */
export const evaluate: JobHandler = async (ctx) => {
  const [own, rest] = takeKeys(ctx.run.config, Object.keys(evalJobKeys));
  for (const k of ["baseline", "reward"]) if (typeof own[k] !== "string" || !own[k]) throw new Error(`an eval run needs config.${k}`);
  const policy = await startCheckpoint(ctx, own, "policy");
  const config = resolveConfig(evalOptions, rest, "run config");
  const { prompts, source } = await promptsForRun(own, {
    use: "evaluate on",
    otherwise: "leave out config.campaignId for the held-out headwords",
    fallback: async () => ({ prompts: heldoutPrompts(), source: "the held-out headwords" }),
  });
  const used = config.maxPrompts > 0 ? Math.min(config.maxPrompts, prompts.length) : prompts.length;
  ctx.log("prompts", { source, prompts: used, ...(used < prompts.length ? { of: prompts.length } : {}) });
  const text = own.text === "none" ? "" : typeof own.text === "string" && own.text ? own.text : corpusFiles().corpusHeldout;
  await ctx.checkpointStep();
  const res = await evaluatePolicies({
    store: new FolderCheckpointStore(),
    policyId: policy,
    baselineId: own.baseline as string,
    rewardId: own.reward as string,
    prompts,
    texts: !text ? undefined : own.text === text ? await readRunFile("text", text, async (f) => readCorpusDocs(f), 'give "none" for no perplexity, or leave it out for the committed held-out corpus') : readCorpusDocs(text),
    config,
    log: (line) => ctx.log(line),
    onProgress: async (done, total) => {
      ctx.reportProgress(done, total);
      await ctx.checkpointStep();
    },
    heartbeat: () => ctx.checkpointStep(),
  });
  ctx.log(`eval\n${res.table}`);
  return { result: { rows: res.rows, optimum: res.optimum, table: res.table, prompts: res.prompts, promptSource: source, config: res.config, backend: ctx.backend } };
};
