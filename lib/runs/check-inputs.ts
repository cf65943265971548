/**
 * A new run's inputs checked against lib/runs/inputs.ts before it is queued: the checkpoint it
 * starts from and the others its config names exist and are of a kind the job can use, and the
 * data it needs is given. The worker would find the same problems, but only after the run had
 * waited in the queue, and some (a reward model as PPO's policy) it would not refuse at all.
 */
import "server-only";
import type { Campaign, Checkpoint } from "@/db/schema";
import { parseId } from "@/lib/api/params";
import { getCampaign, listCampaignPrompts } from "@/lib/campaigns/campaigns";
import { findCheckpointByStoreKey, getCheckpoint, listCheckpoints } from "@/lib/checkpoints/registry";
import { AppError } from "@/lib/errors";
import { checkpointRecord, FolderCheckpointStore } from "@/trainer/checkpoint";
import { given as isGiven } from "./config-rules";
import { type CheckpointInput, kindsPhrase, runInputs, withArticle } from "./inputs";
import type { RunKind } from "./schema";

/** A store key's kind: the registry's, else the store's own record (a checkpoint the CLI wrote and did not register). */
async function kindOfStoreKey(storeKey: string): Promise<Checkpoint["kind"] | null> {
  const row = await findCheckpointByStoreKey({ storeKey });
  if (row) return row.kind;
  try {
    return (await checkpointRecord(new FolderCheckpointStore(), storeKey)).kind;
  } catch {
    return null; // not a storable id, or no such folder
  }
}

const capitalized = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** The names a config key could take: the newest registered checkpoints of its kinds, for a refusal to list. */
async function namesToGive(input: CheckpointInput): Promise<string> {
  const found = (await Promise.all(input.kinds.map((kind) => listCheckpoints({ kind })))).flat().sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  if (found.length === 0) return ` No ${kindsPhrase(input.kinds)} checkpoint is registered yet.`;
  const shown = found.slice(0, 5).map((c) => c.storeKey);
  return ` Registered: ${shown.join(", ")}${found.length > shown.length ? ` and ${found.length - shown.length} more (the Checkpoints page lists them)` : ""}.`;
}

const given = (config: Record<string, unknown>, key: string): boolean => isGiven(config[key]);

/** A checkpoint named by store key in config[input.key]; `rule` says what it must be when its kind is wrong. */
async function checkNamed(input: CheckpointInput, value: unknown, rule: string): Promise<void> {
  if (typeof value !== "string") throw new AppError("bad_request:config", `config.${input.key} must be a checkpoint's name (its store key), got ${JSON.stringify(value)}.`);
  const found = await kindOfStoreKey(value);
  // bad_request:config, not :checkpoint: the run config is at fault, and the runs form marks the field an error's code names.
  if (!found) throw new AppError("bad_request:config", `config.${input.key}: no checkpoint named ${value}.${await namesToGive(input)}`);
  if (!input.kinds.includes(found)) throw new AppError("bad_request:config", `config.${input.key} names ${value}, ${withArticle(found)} checkpoint; ${rule}.`);
}

/**
 * config.campaignId (PPO's or eval's prompts, the campaign generate-pairs answers and adds to) names a
 * campaign, and one with prompts when the run takes its prompts from it: generate-pairs always (its config.prompts is a
 * count), PPO and eval unless config.prompts names a prompts file, which comes first.
 */
async function checkCampaign(kind: RunKind, config: Record<string, unknown>): Promise<void> {
  const value = config.campaignId;
  const unknown = () => new AppError("bad_request:config", `config.campaignId: no campaign ${JSON.stringify(value)} (give the id in the campaign page's address).`);
  if (typeof value !== "string") throw unknown();
  let campaign: Campaign;
  try {
    campaign = await getCampaign({ campaignId: parseId(value, "campaign") });
  } catch (err) {
    throw err instanceof AppError && err.code === "not_found:campaign" ? unknown() : err;
  }
  // Else the worker fails the run, saying the campaign has no prompts.
  const promptSource = kind === "generate-pairs" || !given(config, "prompts");
  if (promptSource && (await listCampaignPrompts({ campaignId: campaign.id, limit: 1 })).length === 0) {
    throw new AppError("bad_request:config", `config.campaignId: campaign ${JSON.stringify(campaign.name)} has no prompts yet; import pairs into it first.`);
  }
}

export async function checkRunInputs({ kind, config, parentCheckpointId }: { kind: RunKind; config: Record<string, unknown>; parentCheckpointId: string | null }): Promise<void> {
  const inputs = runInputs[kind];
  const { start } = inputs;
  if (!start && parentCheckpointId) {
    throw new AppError("bad_request:checkpoint", `${capitalized(withArticle(kind))} run starts from no checkpoint; leave "Start from checkpoint" empty.`);
  }
  // Looked up here rather than left to the foreign key, so the caller learns which id is wrong.
  const parent = parentCheckpointId ? await getCheckpoint({ checkpointId: parentCheckpointId }) : null;
  if (parentCheckpointId && !parent) throw new AppError("bad_request:checkpoint", "No such checkpoint.");
  if (start) {
    const rule = `${withArticle(kind)} run starts from ${kindsPhrase(start.kinds)} (${start.role})`;
    // config[start.key] wins over the parent, as in the job (trainer/jobs/rlhf-job.ts startCheckpoint).
    if (given(config, start.key)) await checkNamed(start, config[start.key], rule);
    else if (!parent) {
      throw new AppError("bad_request:checkpoint", `${capitalized(withArticle(kind))} run needs ${start.role}: choose ${kindsPhrase(start.kinds)} under "Start from checkpoint", or give config.${start.key}.`);
    } else if (!start.kinds.includes(parent.kind)) {
      throw new AppError("bad_request:checkpoint", `${parent.name} is ${withArticle(parent.kind)} checkpoint; ${rule}.`);
    }
  }
  for (const input of inputs.checkpoints) {
    if (given(config, input.key)) await checkNamed(input, config[input.key], `it must be ${kindsPhrase(input.kinds)}: ${input.role}`);
    else if (input.required) {
      throw new AppError("bad_request:config", `${capitalized(withArticle(kind))} run needs config.${input.key}: the name of ${input.role} (${kindsPhrase(input.kinds)}).${await namesToGive(input)}`);
    }
  }
  if (given(config, "campaignId")) await checkCampaign(kind, config);
  if (inputs.needsOneOf && !inputs.needsOneOf.keys.some((k) => given(config, k))) {
    throw new AppError("bad_request:config", inputs.needsOneOf.message);
  }
  // The job reads the snapshot first (trainer/jobs/rlhf-job.ts preferenceRowsForRun), and the runs form preselects one,
  // so a preference file named beside it would be left unread without a word.
  if (inputs.needsOneOf?.keys.includes("data") && given(config, "snapshotId") && given(config, "data")) {
    throw new AppError(
      "bad_request:config",
      'config.data names a preference file, and a dataset snapshot is chosen too: the run would read the snapshot alone. Choose "none" under "Dataset snapshot" to train on the file, or leave config.data out.',
    );
  }
}
