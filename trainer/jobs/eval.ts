import { FolderCheckpointStore } from "../checkpoint";
import { resolveConfig } from "../cli/options";
import { corpusFiles, readCorpusDocs } from "../data/corpus";
import { evalOptions, evaluatePolicies } from "../eval";
import { readPromptsFile } from "../preferences";
import { evalJobKeys } from "./job-keys";
import { takeKeys } from "./rlhf-job";
import type { JobHandler } from "./types";

/**
 * Policy evaluation as a worker job, so its table is stored as the run's result. run.config:
 * policy, baseline, reward (checkpoint ids), prompts (a prompts file), text (held-out text; default
 * the committed held-out corpus; "none" skips perplexity), and any eval option.
 */
export const evaluate: JobHandler = async (ctx) => {
  const [own, rest] = takeKeys(ctx.run.config, Object.keys(evalJobKeys));
  for (const k of ["policy", "baseline", "reward", "prompts"]) if (typeof own[k] !== "string" || !own[k]) throw new Error(`an eval run needs config.${k}`);
  const config = resolveConfig(evalOptions, rest, "run config");
  const text = own.text === "none" ? "" : typeof own.text === "string" && own.text ? own.text : corpusFiles().corpusHeldout;
  await ctx.checkpointStep();
  const res = await evaluatePolicies({
    store: new FolderCheckpointStore(),
    policyId: own.policy as string,
    baselineId: own.baseline as string,
    rewardId: own.reward as string,
    prompts: await readPromptsFile(own.prompts as string),
    texts: text ? readCorpusDocs(text) : undefined,
    config,
    log: (line) => ctx.log(line),
  });
  ctx.log(`eval\n${res.table}`);
  return { result: { rows: res.rows, optimum: res.optimum, table: res.table, prompts: res.prompts, config: res.config, backend: ctx.backend } };
};
