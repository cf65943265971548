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
  })
  .openapi("Run");
export type RunDto = z.infer<typeof runSchema>;

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
