/**
 * The config keys each job reads itself (beside its command's options), with their meaning: the
 * job takes exactly these (takeKeys), and the run form's catalog lists and lets through the same
 * ones (trainer/config-catalog.ts), so a key added here is accepted when a run is queued.
 */
const preferenceData = "a preference JSONL file on the worker instead of the snapshot";
const snapshot = "the dataset snapshot (the form's snapshot field sets it)";
const sftCheckpoint = "store key of the SFT checkpoint (policy and reference); else the run's parent checkpoint";

export const rewardJobKeys = { data: preferenceData, snapshotId: snapshot, base: "store key of the checkpoint to start from; else the run's parent checkpoint" };
export const dpoJobKeys = { data: preferenceData, snapshotId: snapshot, sft: sftCheckpoint };
export const ppoJobKeys = {
  sft: sftCheckpoint,
  reward: "store key of the reward model (required)",
  prompts: "a prompts file on the worker (first source of prompts)",
  campaignId: "take the prompts of this campaign (second source; promptLimit caps how many)",
  promptLimit: "with campaignId only: at most this many of its prompts, a whole number of at least 1",
  snapshotId: "take the snapshot's distinct prompts (third source; the form's snapshot field sets it)",
  ptxData: "pretraining text for PPO-ptx on the worker; default the committed corpus",
};
export const evalJobKeys = {
  policy: "store key of policy A; else the run's parent checkpoint",
  baseline: "store key of baseline B (required)",
  reward: "store key of the reward model that judges (required)",
  prompts: "a prompts file on the worker (first source of prompts)",
  campaignId: "take the prompts of this campaign (second source; promptLimit caps how many)",
  promptLimit: "with campaignId only: at most this many of its prompts, a whole number of at least 1",
  text: "held-out text for perplexity on the worker; default the committed held-out corpus, \"none\" for no perplexity",
};
export const generatePairsJobKeys = {
  campaignId: "the campaign whose prompts are answered and which gets the new pairs (required)",
  checkpoint: "store key of the checkpoint to sample from; else the run's parent checkpoint",
  baseline: "store key of a second checkpoint (e.g. the SFT model): each pair is then its answer against the checkpoint's; else every pair of the checkpoint's k answers, so k 1 needs it",
  reward: "store key of a reward model that scores every answer: each pair's uncertainty becomes its queue priority (needed by select \"uncertain\")",
};
