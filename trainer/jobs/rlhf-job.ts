/**
 * What the reward, dpo, ppo and eval job kinds share: where their data, prompts and starting
 * checkpoint come from in run.config, per-step heartbeat (honours cancel within one step) and
 * metrics, and registering the produced checkpoint with its lineage.
 */
import path from "node:path";
import { z } from "zod";
import { listCampaignPrompts } from "@/lib/campaigns/campaigns";
import { getCheckpoint, registerCheckpoint } from "@/lib/checkpoints/registry";
import { promptSourceProblems, refuseProblems } from "@/lib/runs/config-rules";
import { snapshotPreferenceRows } from "@/lib/snapshots/snapshots";
import type { CheckpointRecord } from "../checkpoint";
import { readPreferenceJsonl, readPromptsFile, type PreferenceRow } from "../preferences";
import type { PromptInput } from "../prompt-format";
import { parseRunConfig } from "./run-config";
import type { JobContext, JobResult } from "./types";

/** A run's checkpoint id: `<kind>-<first 8 hex digits of the run id>`, so a retried run overwrites its own. */
export const checkpointIdForRun = (ctx: JobContext) => `${ctx.run.kind}-${ctx.run.id.slice(0, 8)}`;

/** Splits run.config into the keys the job reads itself and the training config. */
export function takeKeys(config: Record<string, unknown>, keys: string[]): [Record<string, unknown>, Record<string, unknown>] {
  const own: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) (keys.includes(k) ? own : rest)[k] = v;
  return [own, rest];
}

/**
 * A file a run's config names, read on the worker. A missing one failed the run with Node's own
 * "ENOENT: no such file or directory, open 'nope.txt'", which neither named the key nor said the
 * path is read on the worker's machine, nor what to give instead.
 */
export async function readRunFile<T>(key: string, file: string, read: (file: string) => Promise<T>, instead: string): Promise<T> {
  try {
    return await read(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    throw new Error(`config.${key}: no file ${file} on this worker (read as ${path.resolve(file)}, on the worker's machine): copy it there, or ${instead}`);
  }
}

/** Preference rows from config.snapshotId (a dataset snapshot) or config.data (a JSONL file the worker can read). */
export async function preferenceRowsForRun(own: Record<string, unknown>): Promise<PreferenceRow[]> {
  if (typeof own.snapshotId === "string" && own.snapshotId) return snapshotPreferenceRows({ snapshotId: own.snapshotId });
  if (typeof own.data === "string" && own.data) return readRunFile("data", own.data, readPreferenceJsonl, "choose a dataset snapshot instead");
  throw new Error("the run needs config.snapshotId (a dataset snapshot) or config.data (a preference JSONL file)");
}

export interface PromptSource {
  prompts: PromptInput[];
  /** Where they came from, for the log and the provenance. */
  source: string;
}

const promptLimitError = "must be a whole number of prompts, at least 1";
const campaignSourceSchema = z.object({
  campaignId: z.uuid({ error: "must be a campaign id (a uuid)" }),
  promptLimit: z.number({ error: promptLimitError }).int({ error: promptLimitError }).min(1, { error: promptLimitError }).optional(),
});

/**
 * A run's prompts: config.prompts (a prompts file on the worker), else config.campaignId (the
 * campaign's prompts, oldest first, at most config.promptLimit), else the kind's own `fallback`
 * (ppo: the snapshot's prompts, or an error naming the sources; eval: the held-out headwords).
 */
export async function promptsForRun(
  own: Record<string, unknown>,
  kind: { use: string; otherwise: string; fallback: () => Promise<PromptSource> },
): Promise<PromptSource> {
  // The rules startRun checks before a run is queued (lib/runs/config-rules.ts), again for a run queued another way.
  refuseProblems(promptSourceProblems(own));
  if (typeof own.prompts === "string" && own.prompts) {
    return { prompts: await readRunFile("prompts", own.prompts, readPromptsFile, `leave it out and give config.campaignId or ${kind.otherwise}`), source: `file ${own.prompts}` };
  }
  if (own.campaignId !== undefined) {
    const { campaignId, promptLimit } = parseRunConfig(campaignSourceSchema, { campaignId: own.campaignId, promptLimit: own.promptLimit });
    const rows = await listCampaignPrompts({ campaignId, limit: promptLimit });
    if (rows.length === 0) throw new Error(`campaign ${campaignId} has no prompts to ${kind.use} (or does not exist); import pairs into it first, or give config.prompts or ${kind.otherwise}`);
    return { prompts: rows.map((r) => r.content), source: `campaign ${campaignId}` };
  }
  return kind.fallback();
}

/** A checkpoint's store key from config[key], else from the run's parent checkpoint. */
export async function startCheckpoint(ctx: JobContext, own: Record<string, unknown>, key: string): Promise<string> {
  if (typeof own[key] === "string" && own[key]) return own[key] as string;
  if (ctx.run.parentCheckpointId) {
    const parent = await getCheckpoint({ checkpointId: ctx.run.parentCheckpointId });
    if (parent) return parent.storeKey;
  }
  throw new Error(`the run needs config.${key} (a checkpoint id) or a parent checkpoint`);
}

/** Log lines, the planned step count, each step's progress, heartbeat and metrics, and a heartbeat within validation passes, for trainers with onPlan/onStep/heartbeat. */
export function stepHooks(ctx: JobContext) {
  let planned = 0;
  return {
    log: (line: string) => ctx.log(line),
    onPlan: (totalSteps: number) => {
      planned = totalSteps;
    },
    onStep: async (step: number, metrics: Record<string, number>) => {
      ctx.reportProgress(step, planned);
      await ctx.checkpointStep();
      await ctx.reportMetrics(step, metrics);
    },
    heartbeat: () => ctx.checkpointStep(),
  };
}

export async function finishRlhfJob(ctx: JobContext, record: CheckpointRecord, result: Record<string, unknown>): Promise<JobResult> {
  const row = await registerCheckpoint({ record, runId: ctx.run.id });
  return { result: { checkpoint: record.id, backend: ctx.backend, ...result }, outputCheckpointId: row.id };
}
