import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { checkpointImportKindValues } from "@/db/values";
import { commonErrors, errorSchema, jsonContent } from "@/lib/api/openapi-common";
import { z } from "@/lib/api/zod";
import { checkpointDownloadQuerySchema, checkpointImportFieldsSchema, checkpointSchema, listCheckpointsQuerySchema } from "@/lib/checkpoints/schema";
import { RUN_LOG_KEEP } from "./log-limits";
import { createRunSchema, listRunsQuerySchema, metricSchema, playgroundRequestSchema, playgroundResultSchema, runLogSchema, runLogsQuerySchema, runMetricsQuerySchema, runSampleSchema, runSamplesQuerySchema, runSchema, scoreRequestSchema } from "./schema";

const idParams = z.object({ id: z.uuid() });

export function registerRunPaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: "get",
    path: "/api/v1/runs",
    summary: "Recent runs (researchers, admins).",
    tags: ["runs"],
    request: { query: listRunsQuerySchema },
    responses: { 200: jsonContent(z.object({ runs: z.array(runSchema) }), "Newest first."), ...commonErrors },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/runs",
    summary: "Queue a run of a job kind; a trainer worker claims it (researchers, admins).",
    tags: ["runs"],
    request: { body: { content: { "application/json": { schema: createRunSchema } } } },
    responses: { 201: jsonContent(z.object({ run: runSchema }), "Queued."), ...commonErrors },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/runs/{id}",
    summary: "A run: status, config, heartbeat, result or error.",
    tags: ["runs"],
    request: { params: idParams },
    responses: { 200: jsonContent(z.object({ run: runSchema }), "The run."), ...commonErrors },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/runs/{id}/metrics",
    summary: "A run's metrics written at or after `since`, oldest first.",
    tags: ["runs"],
    request: { params: idParams, query: runMetricsQuerySchema },
    responses: { 200: jsonContent(z.object({ metrics: z.array(metricSchema) }), "Metrics."), ...commonErrors },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/runs/{id}/logs",
    summary: `The tail of a run's worker log (the last ${RUN_LOG_KEEP} lines are kept): lines numbered above \`after\`, oldest first.`,
    description: "Poll with `after` = the last `seq` you have. `lastSeq` is the number of the newest line written; a gap between `after` and the first line returned means older lines were dropped.",
    tags: ["runs"],
    request: { params: idParams, query: runLogsQuerySchema },
    responses: { 200: jsonContent(z.object({ logs: z.array(runLogSchema), lastSeq: z.number().int() }), "Log lines."), ...commonErrors },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/runs/{id}/samples",
    summary: "Sample generations a run stored while it trained (PPO: prompt, response and reward-model score every `sampleEvery` iterations), of iterations above `after`.",
    description: "Whole iterations, at most 100 per answer, by iteration then position, and `lastIteration`, the newest iteration stored (null: none). Ask again with `after` = the last `iteration` you have until you hold `lastIteration`.",
    tags: ["runs"],
    request: { params: idParams, query: runSamplesQuerySchema },
    responses: { 200: jsonContent(z.object({ samples: z.array(runSampleSchema), lastIteration: z.number().int().nullable() }), "Samples."), ...commonErrors },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/runs/{id}/cancel",
    summary: "Cancel: a queued run at once, a running one within one training step.",
    tags: ["runs"],
    request: { params: idParams },
    responses: {
      200: jsonContent(z.object({ run: runSchema }), "The run: cancelled if it was queued (or already cancelled), still running with cancelRequested until its job stops."),
      ...commonErrors,
      409: jsonContent(errorSchema, "`conflict:run_finished`: the run already succeeded or failed."),
    },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/score",
    summary: "Score up to 64 rows with a reward checkpoint, through a trainer worker (researchers, admins).",
    tags: ["runs"],
    request: { body: { content: { "application/json": { schema: scoreRequestSchema } } } },
    responses: {
      200: jsonContent(z.object({ checkpointId: z.uuid(), scores: z.array(z.record(z.string(), z.unknown())) }), "Each row with `score`, or `score_a`, `score_b` and `p_a_better`."),
      202: jsonContent(z.object({ run: runSchema }), "The workers are busy: poll the run."),
      ...commonErrors,
      404: jsonContent(errorSchema, "No such checkpoint."),
    },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/playground",
    summary:
      "Sample one prompt from two checkpoints (base, sft or policy) with the same temperature, max new tokens and seed, and score both samples with a reward checkpoint, through a trainer worker (researchers, admins).",
    tags: ["runs"],
    request: { body: { content: { "application/json": { schema: playgroundRequestSchema } } } },
    responses: {
      200: jsonContent(playgroundResultSchema.extend({ runId: z.uuid() }), "Both samples, in the order asked, each with its score."),
      202: jsonContent(z.object({ run: runSchema }), "The workers are busy: poll the run; its result is the same object."),
      ...commonErrors,
      404: jsonContent(errorSchema, "No such checkpoint."),
    },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/checkpoints",
    summary: "Registered checkpoints, newest first (researchers, admins): each one's id (for parentCheckpointId, the playground, downloads) and store key (for run configs: reward, baseline, sft).",
    tags: ["runs"],
    request: { query: listCheckpointsQuerySchema },
    responses: {
      200: jsonContent(z.object({ checkpoints: z.array(checkpointSchema) }), "The checkpoints."),
      ...commonErrors,
    },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/checkpoints",
    summary:
      "Import a Hugging Face GPT-2-family folder (a model trained in Python, a Pairwise download) as a checkpoint and register it (researchers, admins). A one-label score head makes it a reward model.",
    tags: ["runs"],
    request: {
      body: {
        content: {
          "multipart/form-data": {
            schema: checkpointImportFieldsSchema.extend({
              files: z.array(z.string().openapi({ format: "binary" })).openapi({ description: "model.safetensors and config.json, with tokenizer.json; other files of the folder are not read. Up to 1 GB in all." }),
            }),
          },
        },
      },
    },
    responses: {
      201: jsonContent(
        z.object({ id: z.uuid(), name: z.string(), kind: z.enum(checkpointImportKindValues), storeKey: z.string(), paramCount: z.number().int(), sizeBytes: z.number().int(), createdAt: z.string() }),
        "The new checkpoint.",
      ),
      ...commonErrors,
      409: jsonContent(errorSchema, "A checkpoint of that name exists."),
      413: jsonContent(errorSchema, "Over 1 GB."),
    },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/checkpoints/{id}/download",
    summary:
      "A checkpoint's folder (model.safetensors, GPT-2 config.json, tokenizer.json, tokenizer_config.json, pairwise.json) as a zip (default) or a tar (researchers, admins).",
    tags: ["runs"],
    request: { params: idParams, query: checkpointDownloadQuerySchema },
    responses: {
      200: {
        description: "The archive, with Content-Disposition: attachment.",
        content: {
          "application/zip": { schema: z.string().openapi({ format: "binary" }) },
          "application/x-tar": { schema: z.string().openapi({ format: "binary" }) },
        },
      },
      ...commonErrors,
      404: jsonContent(errorSchema, "No such checkpoint, or its files are not in the checkpoint store."),
    },
  });
}
