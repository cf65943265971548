import { runLogLevels, runStatusValues } from "@/db/values";
import { dateTimeSchema, z } from "@/lib/api/zod";

/** Job kinds the trainer workers run, with what each needs. */
export const runKinds = {
  healthcheck: "Round-trips through the queue; records the worker's backend.",
  pretrain: "Next-token pretraining on plain text.",
  sft: "Supervised fine-tuning on {prompt, response} demonstrations.",
  reward: "Reward model on a dataset snapshot (or a preference file), from an SFT/base checkpoint.",
  dpo: "Direct preference optimisation on a snapshot, reference = the SFT checkpoint.",
  ppo: "PPO against the SFT checkpoint with a reward model, KL penalty and PPO-ptx; prompts from a file (prompts), a campaign (campaignId, promptLimit) or a snapshot.",
  eval: "Win rate, KL, perplexity and distinct-2 of a policy against a baseline, judged by a reward model.",
  score: "Score {prompt, response} rows, or both sides of {prompt, response_a, response_b} rows, with a reward model.",
  "generate-pairs": "Sample responses from a checkpoint for a campaign's prompts and add them as new pairs to label; with a reward model (reward), keep the most uncertain (select: \"uncertain\", maxPairs) and serve them first.",
  playground: "Sample one prompt from two checkpoints with the same settings and score both samples with a reward model.",
} as const;
export type RunKind = keyof typeof runKinds;
const runKindSchema = z.enum(Object.keys(runKinds) as [RunKind, ...RunKind[]]);

export const createRunSchema = z
  .object({
    kind: runKindSchema,
    snapshotId: z.uuid().optional().openapi({ description: "Dataset snapshot to train on (reward, dpo) or take prompts from (ppo); refused for the other kinds, which read none." }),
    parentCheckpointId: z.uuid().optional().openapi({ description: "Checkpoint the run starts from." }),
    config: z.record(z.string(), z.unknown()).default({}).openapi({ description: "The command's options (see `npm run trainer -- <kind> --help`)." }),
  })
  .strict()
  .openapi("CreateRun");
export type CreateRunInput = z.input<typeof createRunSchema>;

const runStatusSchema = z.enum(runStatusValues);

export const runSchema = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    status: runStatusSchema,
    config: z.record(z.string(), z.unknown()),
    snapshotId: z.uuid().nullable(),
    parentCheckpointId: z.uuid().nullable(),
    outputCheckpointId: z.uuid().nullable(),
    workerId: z.uuid().nullable(),
    attempts: z.number(),
    cancelRequested: z.boolean(),
    result: z.record(z.string(), z.unknown()).nullable(),
    healthFlags: z
      .array(z.object({ flag: z.string(), iteration: z.number().int(), message: z.string() }))
      .openapi({ description: "Warnings the job raised while it ran (PPO's health flags: negative_kl, kl_high, length_runaway, ...; a reward run's too_few_steps, at iteration 0: before training), each once, as they were raised." }),
    error: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    heartbeatAt: z.string().nullable(),
    silentSeconds: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "While running: whole seconds since its worker's last heartbeat, by the server's clock (a run whose worker is silent for WORKER_HEARTBEAT_TIMEOUT_S is queued again, or failed when its attempts are spent). Null when not running." }),
    finishedAt: z.string().nullable(),
    queuePosition: z.number().nullable().openapi({ description: "Runs ahead of it in the queue, while queued." }),
    progress: z
      .object({ done: z.number(), total: z.number() })
      .nullable()
      .openapi({ description: "Steps done of those planned, as the worker last reported (with its heartbeat, and once more when the run ended); `total` is an upper bound for kinds that can stop early (reward with `patience`). Null until reported; an eval run counts the responses it has sampled; kinds without a step count (score, playground, healthcheck) never report." }),
    eta: z
      .object({ seconds: z.number(), secondsPerStep: z.number() })
      .nullable()
      .openapi({ description: "Estimated seconds left while running: steps left × the seconds per step measured since this attempt's first progress report, less the time since the last report; for a PPO run with maxMinutes, no more steps than end past that budget. Null when not running, without a planned total, or before 3 steps and 5 s have been measured." }),
  })
  .openapi("Run");
export type RunDto = z.infer<typeof runSchema>;

export const runLogSchema = z
  .object({ seq: z.number().int(), level: z.enum(runLogLevels), message: z.string(), at: z.string() })
  .openapi("RunLogLine");
export type RunLogDto = z.infer<typeof runLogSchema>;

export const listRunsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(100).openapi({ description: "How many of the newest runs." }),
});

export const runLogsQuerySchema = z.object({
  after: z.coerce.number().int().min(0).default(0).openapi({ description: "Only lines numbered above this (the last `seq` you have)." }),
});

export const runMetricsQuerySchema = z.object({
  since: dateTimeSchema.optional().openapi({ description: "Only points written at or after this time (the last `at` you have)." }),
  points: z.coerce
    .number()
    .int()
    .min(10)
    .max(5000)
    .optional()
    .openapi({ description: "Thin each series to about this many points (min and max per bucket of steps; first, last and newest point exact). Unset: every point, 20,000 at most per answer." }),
});

export const runSamplesQuerySchema = z.object({
  after: z.coerce.number().int().min(-1).default(-1).openapi({ description: "Only iterations above this (the last `iteration` you have); -1 for all." }),
});

export const runSampleSchema = z
  .object({
    iteration: z.number().int(),
    position: z.number().int().openapi({ description: "Order within the iteration, from 0." }),
    prompt: z.union([z.string(), z.array(z.object({ role: z.string(), content: z.string() }))]).openapi({ description: "The prompt as given: text, or chat turns." }),
    response: z.string(),
    score: z.number().openapi({ description: "The reward model's score of the response." }),
    at: z.string(),
  })
  .openapi("RunSample");
export type RunSampleDto = z.infer<typeof runSampleSchema>;

export const metricSchema = z.object({ step: z.number(), name: z.string(), value: z.number(), at: z.string() }).openapi("RunMetric");
export type MetricDto = z.infer<typeof metricSchema>;

export const scoreRequestSchema = z
  .object({
    checkpointId: z.uuid().openapi({ description: "A reward checkpoint." }),
    rows: z
      .array(
        z.union([
          z.object({ prompt: z.string().min(1).max(20_000), response: z.string().max(20_000) }),
          z.object({ prompt: z.string().min(1).max(20_000), response_a: z.string().max(20_000), response_b: z.string().max(20_000) }),
        ]),
      )
      .min(1)
      .max(64),
  })
  .strict()
  .openapi("ScoreRequest");

/** Sampling settings of the playground; the job's defaults are these. */
const playgroundSettingsSchema = z.object({
  temperature: z.number().min(0).max(2).default(0.9).openapi({ description: "Softmax temperature; 0 = greedy." }),
  maxNewTokens: z.number().int().min(1).max(256).default(48).openapi({ description: "Most tokens per sample (a checkpoint's context length may cut it shorter)." }),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1).openapi({ description: "Seed of the sampling; both checkpoints use it, and the same seed gives the same samples." }),
});

export const playgroundRequestSchema = z
  .object({
    prompt: z.string().trim().min(1, "Write a prompt.").max(4000),
    checkpointIds: z
      .tuple([z.uuid(), z.uuid()])
      .openapi({ description: "The two checkpoints to sample from (base, sft or policy kinds), shown left and right." }),
    rewardCheckpointId: z.uuid().optional().openapi({ description: "The reward checkpoint that scores both samples; without one the samples come back unscored." }),
    ...playgroundSettingsSchema.shape,
  })
  .strict()
  .openapi("PlaygroundRequest");
export type PlaygroundRequest = z.input<typeof playgroundRequestSchema>;

const playgroundCheckpointSchema = z.object({ id: z.uuid(), name: z.string(), kind: z.string(), storeKey: z.string() });

/** A `playground` run's config: what the route resolved, so the worker needs no lookups. */
export const playgroundJobConfigSchema = z.object({
  prompt: z.string().min(1),
  checkpoints: z.tuple([playgroundCheckpointSchema, playgroundCheckpointSchema]),
  reward: playgroundCheckpointSchema.nullable(),
  ...playgroundSettingsSchema.shape,
});
export type PlaygroundJobConfig = z.infer<typeof playgroundJobConfigSchema>;

const playgroundSampleSchema = z.object({
  checkpoint: playgroundCheckpointSchema,
  text: z.string().openapi({ description: "The response, as the prompt template parses it." }),
  tokens: z.number().int().openapi({ description: "Tokens sampled, end-of-text included." }),
  finishReason: z.enum(["eos", "stop", "length"]),
  score: z.number().nullable().openapi({ description: "The reward model's score of (prompt, text); null without a reward model." }),
});

export const playgroundResultSchema = z
  .object({
    prompt: z.string(),
    settings: playgroundSettingsSchema,
    reward: playgroundCheckpointSchema.nullable().openapi({ description: "The reward model that scored the samples, or null when none was asked for." }),
    samples: z.tuple([playgroundSampleSchema, playgroundSampleSchema]),
    pFirstBetter: z
      .number()
      .nullable()
      .openapi({ description: "sigmoid(score of the first - score of the second): the Bradley-Terry probability that the reward model prefers the first sample; null without a reward model." }),
  })
  .openapi("PlaygroundResult");
export type PlaygroundResult = z.infer<typeof playgroundResultSchema>;
