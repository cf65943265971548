/**
 * What a run of each kind reads besides its options: the checkpoint it starts from, other
 * checkpoints its config names, and the data it needs, as the worker's job resolves them
 * (trainer/jobs/*). startRun checks them when the run is queued, so a missing input or a
 * checkpoint of the wrong kind is refused with its reason instead of failing on the worker; the
 * run form offers and preselects start checkpoints from the same table.
 */
import type { Checkpoint } from "@/db/schema";
import type { RunKind } from "./schema";

type CheckpointKind = Checkpoint["kind"];

export interface CheckpointInput {
  /** The config key that names it by store key. */
  key: string;
  /** The kinds it may be, the usual one first: the form preselects the newest checkpoint of the first kind there is. */
  kinds: CheckpointKind[];
  /** What the run does with it, for messages. */
  role: string;
}

export interface RunInputs {
  /** The checkpoint the run starts from: config[key], else the run's parent checkpoint. Null: the run reads none, and a parent is refused. */
  start: CheckpointInput | null;
  /** Other checkpoints, each named by its config key. */
  checkpoints: Array<CheckpointInput & { required: boolean }>;
  /** Config keys of which the run needs at least one (snapshotId is the form's snapshot), and what to say when none is given. */
  needsOneOf?: { keys: string[]; message: string };
  /** Started by its own page or endpoint (the playground, POST /api/v1/score), not offered by the run form. */
  internal?: true;
}

const languageModels: CheckpointKind[] = ["sft", "base", "policy"];
const preferenceData = { keys: ["snapshotId", "data"], message: "Choose a dataset snapshot (or give config.data, a preference JSONL file on the worker)." };

export const runInputs: Record<RunKind, RunInputs> = {
  healthcheck: { start: null, checkpoints: [] },
  pretrain: { start: null, checkpoints: [] },
  sft: { start: { key: "base", kinds: ["base", "sft", "policy"], role: "the model to fine-tune" }, checkpoints: [] },
  // A reward model may start from an earlier one: a refit on more judgments.
  reward: { start: { key: "base", kinds: ["sft", "base", "reward"], role: "the model the reward model starts from" }, checkpoints: [], needsOneOf: preferenceData },
  dpo: { start: { key: "sft", kinds: languageModels, role: "the policy's start and the reference" }, checkpoints: [], needsOneOf: preferenceData },
  ppo: {
    start: { key: "sft", kinds: languageModels, role: "the policy's start and the reference" },
    checkpoints: [{ key: "reward", kinds: ["reward"], role: "the reward model PPO trains against", required: true }],
    needsOneOf: { keys: ["prompts", "campaignId", "snapshotId"], message: "Give PPO its prompts: a dataset snapshot, config.campaignId (a campaign's prompts) or config.prompts (a prompts file on the worker)." },
  },
  eval: {
    start: { key: "policy", kinds: ["policy", "sft", "base"], role: "policy A" },
    checkpoints: [
      { key: "baseline", kinds: languageModels, role: "baseline B", required: true },
      { key: "reward", kinds: ["reward"], role: "the reward model that judges", required: true },
    ],
  },
  score: { start: null, checkpoints: [{ key: "checkpoint", kinds: ["reward"], role: "the reward model that scores", required: true }], internal: true },
  "generate-pairs": {
    start: { key: "checkpoint", kinds: ["policy", "sft", "base"], role: "the model whose answers become pairs" },
    checkpoints: [
      { key: "baseline", kinds: languageModels, role: "the baseline of each pair's other side", required: false },
      { key: "reward", kinds: ["reward"], role: "the reward model that orders pairs by uncertainty", required: false },
    ],
    needsOneOf: { keys: ["campaignId"], message: "Give config.campaignId: the campaign whose prompts are answered and which gets the new pairs." },
  },
  playground: { start: null, checkpoints: [], internal: true },
};

/** The run form's default start checkpoint for a kind: the newest (the list is newest first) of the first kind in the table that there is. */
export function defaultStartCheckpoint<C extends { id: string; kind: CheckpointKind }>(kind: string, checkpoints: C[]): C | undefined {
  const start = runInputs[kind as RunKind]?.start;
  if (!start) return undefined;
  for (const k of start.kinds) {
    const found = checkpoints.find((c) => c.kind === k);
    if (found) return found;
  }
  return undefined;
}

/** "an sft", "a policy", "an eval": the article as the word is read out. */
export function withArticle(word: string): string {
  return `${/^(sft|[aeiou])/.test(word) ? "an" : "a"} ${word}`;
}

/** "an sft, base or policy checkpoint" */
export function kindsPhrase(kinds: CheckpointKind[]): string {
  return `${withArticle(kinds.length > 1 ? `${kinds.slice(0, -1).join(", ")} or ${kinds.at(-1)}` : kinds[0]!)} checkpoint`;
}
