/**
 * Commands of the reward-model and RLHF issues: reward, score, dpo, ppo, eval.
 * Each is a thin shell over the core function its worker job shares (trainRewardModel,
 * scoreRows, trainDpo, trainPpo, evaluatePolicies).
 */
import fs from "node:fs/promises";
import { evalConfigProblems, ppoConfigProblems, rewardConfigProblems, refuseProblems } from "@/lib/runs/config-rules";
import { initBackend } from "../backend";
import { corpusFiles, heldoutPrompts, readCorpusDocs } from "../data/corpus";
import { trainDpo, dpoOptions } from "../dpo";
import { backendNames, type BackendName } from "../env";
import { evalOptions, evaluatePolicies } from "../eval";
import { ppoOptions } from "../ppo/config";
import { trainPpo } from "../ppo/ppo";
import { type PreferenceRow, readPreferenceJsonl, readPromptsFile } from "../preferences";
import { rewardOptions, trainRewardModel } from "../reward";
import { readScoreJsonl, scoreRows } from "../score";
import type { Command } from "./commands";
import { withDatabase } from "./database";
import { opt, OptionError, type OptionTable, type Resolved } from "./options";

const command = <T extends OptionTable>(c: Command<T>): Command => c as unknown as Command;
const backendOpt = opt("", `backend to use (${backendNames.join(", ")}); empty: TRAINER_BACKEND or the first that loads`);

async function switchBackend(name: string, log: (line: string) => void): Promise<BackendName> {
  if (name && !backendNames.includes(name as BackendName)) throw new OptionError(`backend must be one of ${backendNames.join(", ")}, got "${name}"`);
  const backend = await initBackend((name || undefined) as BackendName | undefined);
  log(`backend: ${backend}`);
  return backend;
}

/** Splits the command's own flags from the core function's config. */
function split<T extends Record<string, unknown>, K extends keyof T>(o: T, keys: K[]): [Pick<T, K>, Omit<T, K>] {
  const own = {} as Pick<T, K>;
  const rest = { ...o };
  for (const k of keys) {
    own[k] = o[k];
    delete rest[k];
  }
  return [own, rest];
}

const fmt = (m: Record<string, number>, keys: string[]) => keys.filter((k) => k in m).map((k) => `${k} ${Number.isInteger(m[k]) ? m[k] : m[k].toFixed(4)}`).join(" | ");
const textDocs = (file: string) => readCorpusDocs(file);

/** Rows from --data, or from --snapshot through the database (imported only then, so other commands need no database). */
async function preferenceRows(o: { data: string; snapshot: string }): Promise<PreferenceRow[]> {
  if (o.snapshot) {
    const { snapshotPreferenceRows } = await import("@/lib/snapshots/snapshots");
    return withDatabase(() => snapshotPreferenceRows({ snapshotId: o.snapshot }));
  }
  if (o.data) return readPreferenceJsonl(o.data);
  throw new OptionError("--data or --snapshot is required");
}

export const rlhfCommands: Record<string, Command> = {
  reward: command({
    summary: "Train a reward model (Bradley-Terry, scalar head at the last token before end-of-text) on TRL-style {prompt, chosen, rejected[, margin]} JSONL.",
    options: {
      data: opt("", "preference JSONL: {prompt, chosen, rejected[, margin, weight, tie, prompt_id]} per line"),
      snapshot: opt("", "dataset snapshot id instead of --data (reads the database)"),
      base: opt("", "SFT or base checkpoint whose trunk the reward model starts from (required)"),
      out: opt("", "id of the reward checkpoint to write; empty = reward-<time>"),
      ...rewardOptions,
      backend: backendOpt,
    },
    async run(o, { store, log }) {
      if (!(o.data || o.snapshot) || !o.base) throw new OptionError("--data (or --snapshot) and --base are required");
      refuseProblems(rewardConfigProblems(o), (message) => new OptionError(message));
      await switchBackend(o.backend, log);
      const [own, config] = split(o, ["data", "snapshot", "base", "out", "backend"]);
      const rows = await preferenceRows(own);
      const res = await trainRewardModel({
        rows,
        baseCheckpointId: own.base,
        config,
        store,
        outputId: own.out,
        log,
        provenance: { data: own.data, snapshotId: own.snapshot },
        onStep: (step, m) => {
          if (step % 10 === 0 || "loss/val" in m) log(`step ${step} | ${fmt(m, ["loss/train", "reward/accuracy", "loss/val", "reward/accuracy_val", "reward/ece", "tokens/s"])}`);
        },
      });
      log(`reward model ${res.record.id}: ${fmt(res.metrics, ["reward/accuracy_val", "loss/val", "reward/ece", "train/steps", "train/best_step", "train/seconds", "tokens/s"])}${res.stoppedEarly ? " (stopped early)" : ""}`);
    },
  }),

  score: command({
    summary: "Score {prompt, response} rows, or {prompt, response_a, response_b} pairs (both scores and P(a preferred)), with a reward model; JSONL out.",
    options: {
      checkpoint: opt("", "reward checkpoint id (required)"),
      input: opt("", "JSONL of {prompt, response} or {prompt, response_a, response_b} rows (required)"),
      output: opt("", "file to write; empty = standard output"),
      batchSize: opt(16, "sequences per forward pass"),
      backend: backendOpt,
    },
    async run(o, { store, log }) {
      if (!o.checkpoint || !o.input) throw new OptionError("--checkpoint and --input are required");
      await switchBackend(o.backend, o.output ? log : () => {});
      const out = await scoreRows({ store, checkpointId: o.checkpoint, rows: await readScoreJsonl(o.input), batchSize: o.batchSize });
      const text = out.map((r) => JSON.stringify(r)).join("\n") + "\n";
      if (o.output) {
        await fs.writeFile(o.output, text);
        log(`wrote ${out.length} rows to ${o.output}`);
      } else process.stdout.write(text);
    },
  }),

  dpo: command({
    summary: "Direct Preference Optimisation of an SFT checkpoint (the frozen reference) on preference JSONL.",
    options: {
      data: opt("", "preference JSONL: {prompt, chosen, rejected} per line"),
      snapshot: opt("", "dataset snapshot id instead of --data (reads the database)"),
      sft: opt("", "SFT checkpoint: the policy's start and the frozen reference (required)"),
      out: opt("", "id of the policy checkpoint to write; empty = dpo-<time>"),
      ...dpoOptions,
      backend: backendOpt,
    },
    async run(o, { store, log }) {
      if (!(o.data || o.snapshot) || !o.sft) throw new OptionError("--data (or --snapshot) and --sft are required");
      await switchBackend(o.backend, log);
      const [own, config] = split(o, ["data", "snapshot", "sft", "out", "backend"]);
      const res = await trainDpo({
        rows: await preferenceRows(own),
        sftCheckpointId: own.sft,
        config,
        store,
        outputId: own.out,
        log,
        provenance: { data: own.data, snapshotId: own.snapshot },
        onStep: (step, m) => {
          if (step % 10 === 0 || "eval/loss/dpo" in m) log(`step ${step} | ${fmt(m, ["loss/dpo", "rewards/accuracies", "rewards/margins", "eval/loss/dpo", "eval/rewards/accuracies", "tokens/s"])}`);
        },
      });
      log(`DPO policy ${res.record.id}: ${fmt(res.metrics, ["eval/rewards/accuracies", "eval/rewards/margins", "eval/loss/dpo", "train/steps", "train/seconds"])}`);
    },
  }),

  ppo: command({
    summary: "PPO of an SFT checkpoint against a reward model: rollout -> score -> KL penalty -> GAE -> clipped updates (+ PPO-ptx); --resume after a crash.",
    options: {
      sft: opt("", "SFT checkpoint: the policy's start and the frozen reference (required)"),
      reward: opt("", "reward checkpoint that scores the samples (required)"),
      prompts: opt("", "prompts: JSONL rows with a prompt, or one prompt per line (required)"),
      ptxData: opt("", "pretraining text for PPO-ptx (.txt[.gz], documents split by <|endoftext|>); empty = the committed corpus when ptxCoef > 0"),
      out: opt("", "id of the policy checkpoint; its resumable state is <out>-resume (required with --resume)"),
      resume: opt(false, "continue from <out>-resume when it exists"),
      history: opt("", "write every iteration's metrics, samples and health flags to this JSON file"),
      ...ppoOptions,
      backend: backendOpt,
    },
    async run(o, { store, log }) {
      if (!o.sft || !o.reward || !o.prompts) throw new OptionError("--sft, --reward and --prompts are required");
      if (o.resume && !o.out) throw new OptionError("--resume needs --out (the run to continue)");
      // Refused as a usage error before a backend loads, with the words startRun and trainPpo use (lib/runs/config-rules.ts).
      refuseProblems(ppoConfigProblems(o), (message) => new OptionError(message));
      await switchBackend(o.backend, log);
      const [own, config] = split(o, ["sft", "reward", "prompts", "ptxData", "out", "resume", "history", "backend"]);
      const ptxTexts = config.ptxCoef > 0 ? textDocs(own.ptxData || corpusFiles().corpusTrain) : undefined;
      const res = await trainPpo({
        store,
        sftCheckpointId: own.sft,
        rewardCheckpointId: own.reward,
        prompts: await readPromptsFile(own.prompts),
        ptxTexts,
        config,
        outputId: own.out,
        resume: own.resume,
        log,
        provenance: { prompts: own.prompts, ptxData: own.ptxData },
        onIteration: (i, m) => log(`iter ${i} | ${fmt(m, ["objective/scores", "objective/kl", "objective/kl_coef", "objective/entropy", "policy/approxkl", "policy/clipfrac", "val/var_explained", "loss/ptx", "tokens/response_len_mean", "time/rollout_s", "time/update_s"])}`),
        onSamples: (samples) => samples.forEach((s) => log(`  sample (iter ${s.iteration}, score ${s.score.toFixed(3)}): ${JSON.stringify(s.prompt)} -> ${JSON.stringify(s.response)}`)),
      });
      if (own.history) await fs.writeFile(own.history, JSON.stringify({ history: res.history, samples: res.samples, flags: res.flags }, null, 1));
      log(`PPO policy ${res.record.id} after ${res.history.length} iterations; health flags: ${res.flags.map((f) => f.flag).join(", ") || "none"}`);
    },
  }),

  eval: command({
    summary: "Compare a policy A with a baseline B on held-out prompts: reward-model win rate, scores, KL(A||B), perplexity, distinct-2, length, best-of-n from B.",
    options: {
      policy: opt("", "policy checkpoint A (required)"),
      baseline: opt("", "baseline checkpoint B, usually the SFT model (required)"),
      reward: opt("", "reward checkpoint that judges (required)"),
      prompts: opt("", "held-out prompts: JSONL rows with a prompt, or one per line; empty = the 377 committed held-out headwords"),
      text: opt("", 'held-out text for perplexity (.txt[.gz], <|endoftext|>-separated); empty = the committed held-out corpus; "none" skips'),
      out: opt("", "write the result (rows and table) as JSON to this file"),
      ...evalOptions,
      backend: backendOpt,
    },
    async run(o, { store, log }) {
      if (!o.policy || !o.baseline || !o.reward) throw new OptionError("--policy, --baseline and --reward are required");
      refuseProblems(evalConfigProblems(o), (message) => new OptionError(message));
      await switchBackend(o.backend, log);
      const [own, config] = split(o, ["policy", "baseline", "reward", "prompts", "text", "out", "backend"]);
      const textFile = own.text === "none" ? "" : own.text || corpusFiles().corpusHeldout;
      const res = await evaluatePolicies({
        store,
        policyId: own.policy,
        baselineId: own.baseline,
        rewardId: own.reward,
        prompts: own.prompts ? await readPromptsFile(own.prompts) : heldoutPrompts(),
        texts: textFile ? textDocs(textFile) : undefined,
        config: config as Resolved<typeof evalOptions>,
        log,
      });
      log(`\n${res.table}\n(${res.prompts} prompts)`);
      if (own.out) await fs.writeFile(own.out, JSON.stringify(res, null, 1));
    },
  }),
};
