import { z } from "@/lib/api/zod";

/** Job kinds the trainer workers run, with what each needs. */
export const runKinds = {
  healthcheck: "Round-trips through the queue; records the worker's backend.",
  pretrain: "Next-token pretraining on plain text.",
  sft: "Supervised fine-tuning on {prompt, response} demonstrations.",
  reward: "Reward model on a dataset snapshot (or a preference file), from an SFT/base checkpoint.",
  dpo: "Direct preference optimisation on a snapshot, reference = the SFT checkpoint.",
  ppo: "PPO against the SFT checkpoint with a reward model, KL penalty and PPO-ptx.",
  eval: "Win rate, KL, perplexity and distinct-2 of a policy against a baseline, judged by a reward model.",
  score: "Score {prompt, response} rows, or both sides of {prompt, response_a, response_b} rows, with a reward model.",
  "generate-pairs": "Sample responses from a checkpoint for a campaign's prompts and add them as new pairs to label.",
} as const;
export type RunKind = keyof typeof runKinds;
export const runKindSchema = z.enum(Object.keys(runKinds) as [RunKind, ...RunKind[]]);

export const createRunSchema = z
  .object({
    kind: runKindSchema,
    snapshotId: z.uuid().optional().openapi({ description: "Dataset snapshot to train on (reward, dpo)." }),
    parentCheckpointId: z.uuid().optional().openapi({ description: "Checkpoint the run starts from." }),
    config: z.record(z.string(), z.unknown()).default({}).openapi({ description: "The command's options (see `npm run trainer -- <kind> --help`)." }),
  })
  .openapi("CreateRun");
export type CreateRunInput = z.input<typeof createRunSchema>;

export const runStatusSchema = z.enum(["queued", "running", "succeeded", "failed", "cancelled"]);

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
    error: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    heartbeatAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    queuePosition: z.number().nullable().openapi({ description: "Runs ahead of it in the queue, while queued." }),
    progress: z
      .object({ done: z.number(), total: z.number() })
      .nullable()
      .openapi({ description: "Steps done of those planned, as the worker last reported (with its heartbeat); `total` is an upper bound for kinds that can stop early (reward with `patience`). Null until reported; kinds without a step count (eval, score, healthcheck) never report." }),
    eta: z
      .object({ seconds: z.number(), secondsPerStep: z.number() })
      .nullable()
      .openapi({ description: "Estimated seconds left while running: steps left × the seconds per step measured since this attempt's first progress report, less the time since the last report. Null when not running, without a planned total, or before 3 steps and 5 s have been measured." }),
  })
  .openapi("Run");
export type RunDto = z.infer<typeof runSchema>;

export const runLogSchema = z
  .object({ seq: z.number().int(), level: z.enum(["info", "warn", "error"]), message: z.string(), at: z.string() })
  .openapi("RunLogLine");
export type RunLogDto = z.infer<typeof runLogSchema>;

export const listRunsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(100).openapi({ description: "How many of the newest runs." }),
});

export const runLogsQuerySchema = z.object({
  after: z.coerce.number().int().min(0).default(0).openapi({ description: "Only lines numbered above this (the last `seq` you have)." }),
});

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
  .openapi("ScoreRequest");
