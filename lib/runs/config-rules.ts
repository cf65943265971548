/**
 * The rules of a run config that an option table cannot say one key at a time: across keys ("this
 * value needs that key") and within one key's text (a marginMap's entries, eval's bestOfN counts).
 * Each is pure config logic, needing no model or data. startRun checks them (checkRunConfig) before the run is queued,
 * so the runs form shows the problem at once, and the trainer checks them again with the same
 * function (the job, and the CLI where it takes the same options), so a run queued another way
 * or a command typed by hand is refused in the same words.
 * A rule reads the config with its options resolved (defaults filled in) and its job keys as given.
 */
import type { z } from "zod";
import { playgroundJobConfigSchema } from "./schema";

/**
 * Throws a config's problems as one error, joined by "; " the same way everywhere, of the caller's own
 * kind (a job's Error by default, the CLI's OptionError, startRun's AppError); nothing when there are none.
 */
export function refuseProblems(problems: string[], toError: (message: string) => Error = (message) => new Error(message)): void {
  if (problems.length) throw toError(problems.join("; "));
}

/** A job key counts as given when present and not null or "": the rules here and check-inputs.ts read keys so. */
export const given = (v: unknown) => v !== undefined && v !== null && v !== "";

/** generate-pairs (trainer/jobs/generate-pairs.ts): what select, maxPairs, reward, k and baseline need of each other. */
export function generatePairsConfigProblems(config: Record<string, unknown>): string[] {
  const { select, maxPairs, k } = config;
  return [
    select === "uncertain" && !given(config.reward) ? 'config.reward: select "uncertain" needs config.reward (a reward checkpoint)' : "",
    select === "uncertain" && maxPairs === 0 ? 'config.maxPairs: select "uncertain" needs config.maxPairs (how many pairs to keep)' : "",
    select === "all" && maxPairs !== 0 ? 'config.maxPairs: maxPairs applies to select "uncertain"' : "",
    // Without a baseline each pair is two of the checkpoint's k answers: one answer makes none, and the run would succeed adding nothing.
    k === 1 && !given(config.baseline) ? "config.k: k 1 makes no pairs without config.baseline (each pair is two of the checkpoint's answers); set k to 2 or more, or give config.baseline" : "",
  ].filter(Boolean);
}

const promptLimitError = "must be a whole number of prompts, at least 1";

/**
 * ppo and eval (promptsForRun in trainer/jobs/rlhf-job.ts): promptLimit limits a campaign's prompts, so it needs
 * config.campaignId, and a whole number when the campaign is where the prompts come from (a prompts file comes first).
 */
export function promptSourceProblems(config: Record<string, unknown>): string[] {
  const { promptLimit, campaignId, prompts } = config;
  // As the job reads them: any value counts as given here, "" too, and only a non-empty prompts file comes before the campaign.
  const fromCampaign = campaignId !== undefined && !(typeof prompts === "string" && prompts);
  return [
    promptLimit !== undefined && campaignId === undefined ? "config.promptLimit applies to config.campaignId" : "",
    fromCampaign && promptLimit !== undefined && !(typeof promptLimit === "number" && Number.isInteger(promptLimit) && promptLimit >= 1) ? `config.promptLimit: ${promptLimitError}` : "",
  ].filter(Boolean);
}

/** ppo (trainPpo in trainer/ppo/ppo.ts, and the job's prompt keys): how an iteration's batch splits into prompts and gradient steps. */
export function ppoConfigProblems(config: Record<string, unknown>): string[] {
  const { batchSize, miniBatchSize, samplesPerPrompt: perPrompt, advantage } = config as { batchSize: number; miniBatchSize: number; samplesPerPrompt: number; advantage: string };
  return [
    miniBatchSize > batchSize ? "miniBatchSize must not exceed batchSize" : "",
    !Number.isInteger(perPrompt) || perPrompt < 1 || batchSize % perPrompt !== 0 ? `samplesPerPrompt (${perPrompt}) must be a whole number that divides batchSize (${batchSize})` : "",
    advantage === "rloo" && perPrompt < 2 ? "advantage rloo compares a prompt's responses with each other: set samplesPerPrompt to 2 or more" : "",
    ...promptSourceProblems(config),
  ].filter(Boolean);
}

/** A reward marginMap's first entry that is not `strength:margin` (two numbers), as the trainer's parser refuses it; null when all are. */
export function marginMapProblem(spec: string): string | null {
  if (!spec.trim()) return null;
  for (const part of spec.split(",")) {
    const [k, v] = part.split(":").map((s) => Number(s.trim()));
    if (!Number.isFinite(k) || !Number.isFinite(v)) return `marginMap entry "${part}" is not strength:margin`;
  }
  return null;
}

/** reward (trainRewardModel in trainer/reward.ts): the marginMap table, which the option table takes as any string. */
export function rewardConfigProblems(config: Record<string, unknown>): string[] {
  return [typeof config.marginMap === "string" ? (marginMapProblem(config.marginMap) ?? "") : ""].filter(Boolean);
}

/**
 * pretrain and sft (cosineLr in trainer/schedule.ts): linear warm-up to lr, then a cosine from lr down to minLr. A minLr
 * above lr makes the cosine rise instead; a warm-up longer than the run ends it still warming up, below lr.
 */
export function lrScheduleProblems(config: Record<string, unknown>): string[] {
  const { lr, minLr, warmupSteps, steps } = config as { lr: number; minLr: number; warmupSteps: number; steps: number };
  return [
    minLr > lr ? `minLr ${minLr} must not exceed lr ${lr}: after warm-up the learning rate would rise from lr to minLr instead of decaying; set minLr below lr (or equal, for a constant rate)` : "",
    warmupSteps > steps ? `warmupSteps ${warmupSteps} must not exceed steps ${steps}: the run would end still warming up, its learning rate never reaching lr; set warmupSteps to at most steps` : "",
  ].filter(Boolean);
}

/** pretrain (runPretrain in trainer/pretrain.ts): the model's shape, which createModel would refuse only after the tokenizer is trained, and the schedule. */
export function pretrainConfigProblems(config: Record<string, unknown>): string[] {
  const { dModel, heads } = config as { dModel: number; heads: number };
  return [dModel % heads !== 0 ? `dModel ${dModel} must be divisible by heads ${heads}` : "", ...lrScheduleProblems(config)].filter(Boolean);
}

/**
 * sft (runSft in trainer/sft.ts): the schedule, and the plain-text files that only mixText reads. Their default ""
 * (the committed corpora) is the same whether given or not, so only a file named without mixText is refused.
 */
export function sftConfigProblems(config: Record<string, unknown>): string[] {
  const { mixText } = config as { mixText: number };
  const unread = (key: string) => (mixText === 0 && typeof config[key] === "string" && config[key] !== "" ? `${key} is read only when mixText is above 0 (plain text mixed into each batch); set mixText (such as 0.25) or leave ${key} out` : "");
  return [...lrScheduleProblems(config), unread("mixCorpus"), unread("mixHeldout")].filter(Boolean);
}

/**
 * An eval bestOfN entry that is not a whole number of at least 2, else one that repeats an earlier count, as
 * evaluatePolicies (trainer/eval.ts) refuses it; null when all are. The option table takes any strings; best of 1
 * would be the baseline itself. A repeat is refused rather than dropped: each entry makes one line of the eval
 * table, so [4, 4, 16] printed best-of-4 twice, and dropping it quietly would leave the config saved with the run
 * saying something the table does not.
 */
export function bestOfNProblem(bestOfN: readonly string[]): string | null {
  const bad = bestOfN.find((entry) => !(entry.trim() !== "" && Number.isInteger(Number(entry)) && Number(entry) >= 2));
  if (bad !== undefined) return `bestOfN entry ${JSON.stringify(bad)} must be a whole number of at least 2 (best of n samples from the baseline); give counts such as 4 and 16, or none for no best-of-n lines`;
  const repeat = bestOfN.find((entry, i) => bestOfN.slice(0, i).some((earlier) => Number(earlier) === Number(entry)));
  return repeat === undefined ? null : `bestOfN entry ${JSON.stringify(repeat)} repeats best of ${Number(repeat)}: each count makes one line of the eval table; give each count once, such as 4 and 16`;
}

/** eval (evaluatePolicies in trainer/eval.ts, and the job's prompt keys): the bestOfN counts and where the prompts come from. */
export function evalConfigProblems(config: Record<string, unknown>): string[] {
  const { bestOfN } = config;
  return [Array.isArray(bestOfN) ? (bestOfNProblem(bestOfN as string[]) ?? "") : "", ...promptSourceProblems(config)].filter(Boolean);
}

/** A row a score run scores, as parseScoreRow (trainer/score.ts) reads it: {prompt, response} or {prompt, response_a, response_b}; null when it is one. */
export function scoreRowProblem(raw: unknown, where: string): string | null {
  const r = raw as Record<string, unknown>;
  if (typeof r !== "object" || r === null || (typeof r.prompt !== "string" && !Array.isArray(r.prompt))) return `${where}: "prompt" must be a string or a message list`;
  if (typeof r.response === "string" || (typeof r.response_a === "string" && typeof r.response_b === "string")) return null;
  return `${where}: a row needs "response", or "response_a" and "response_b"`;
}

/**
 * score (trainer/jobs/score.ts; POST /api/v1/score checks its rows with its own schema): the rows, of which
 * the job names the first it cannot read. A kind without an option table, so these rules read the config as given.
 */
export function scoreConfigProblems(config: Record<string, unknown>): string[] {
  const { rows } = config;
  if (!Array.isArray(rows) || rows.length === 0) return ["a score run needs config.rows"];
  const bad = rows.map((row, i) => scoreRowProblem(row, `row ${i + 1}`)).find((problem) => problem !== null);
  return bad ? [bad] : [];
}

/** What a zod schema refuses in a run config (or the part a job reads itself), each as the runs page shows it: `config.<key>: <message>`. */
export function schemaProblems(schema: z.ZodType, value: unknown): string[] {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `config${i.path.length ? `.${i.path.join(".")}` : ""}: ${i.message}`);
}

/**
 * playground (trainer/jobs/playground.ts): the config POST /api/v1/playground resolves (the prompt, both
 * checkpoints and the reward model by store key, the settings), here for one started another way.
 */
export function playgroundConfigProblems(config: Record<string, unknown>): string[] {
  return schemaProblems(playgroundJobConfigSchema, config);
}

/**
 * Each kind's rules; a kind not listed (dpo, healthcheck) has none beyond its option table and its inputs
 * (check-inputs.ts).
 */
export const configRules: Partial<Record<string, (config: Record<string, unknown>) => string[]>> = {
  "generate-pairs": generatePairsConfigProblems,
  ppo: ppoConfigProblems,
  eval: evalConfigProblems,
  reward: rewardConfigProblems,
  pretrain: pretrainConfigProblems,
  sft: sftConfigProblems,
  score: scoreConfigProblems,
  playground: playgroundConfigProblems,
};
