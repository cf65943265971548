import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { commonErrors, errorSchema, jsonContent } from "@/lib/api/openapi-common";
import { z } from "@/lib/api/zod";
import { editJudgmentSchema, judgmentSchema, labelerStatsQuerySchema, leaseRequestSchema, skipSchema, submitJudgmentSchema, taskSchema } from "./schema";

const idParams = z.object({ id: z.uuid() });

const qualitySchema = z
  .object({
    pairs: z.number(),
    completePairs: z.number(),
    goldPairs: z.number().openapi({ description: "Gold pairs, which check labelers' answers: not among `pairs` and `completePairs`." }),
    judgments: z.number(),
    alphaOrdinal: z.number().nullable(),
    pairwiseAgreement: z.number().nullable(),
    positionBias: z.object({ leftShare: z.number().nullable(), n: z.number(), pValue: z.number() }),
    lengthBias: z.object({ longerShare: z.number().nullable(), n: z.number(), pValue: z.number() }),
    labelers: z.array(
      z.object({
        labelerId: z.uuid(),
        name: z.string(),
        judgments: z.number(),
        medianSeconds: z.number().nullable(),
        goldAnswered: z.number(),
        goldAccuracy: z.number().nullable(),
        agreementWithMajority: z.number().nullable(),
      }),
    ),
  })
  .openapi("CampaignQuality");

const statsSchema = z
  .object({
    judgments: z.number(),
    today: z.number(),
    skipped: z.number(),
    agreementWithMajority: z.number().nullable(),
    goldAnswered: z.number(),
    goldAccuracy: z.number().nullable().openapi({ description: "null until 5 gold pairs are answered." }),
    medianSeconds: z.number().nullable(),
  })
  .openapi("LabelerStats");

export function registerLabelingPaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: "post",
    path: "/api/v1/campaigns/{id}/tasks",
    summary: "Lease the caller's next pair(s). Asking again returns the same live leases; an empty list means no work is left.",
    tags: ["labeling"],
    request: { params: idParams, body: { content: { "application/json": { schema: leaseRequestSchema } } } },
    responses: { 200: jsonContent(z.object({ tasks: z.array(taskSchema), done: z.boolean() }), "Live tasks, current first."), ...commonErrors, 409: jsonContent(errorSchema, "`conflict:campaign_not_active`: the campaign is paused or archived.") },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/judgments",
    summary: "Submit a judgment of a leased task. Resending the same clientSubmissionId returns the stored judgment.",
    tags: ["labeling"],
    request: { body: { content: { "application/json": { schema: submitJudgmentSchema } } } },
    responses: { 201: jsonContent(z.object({ judgment: judgmentSchema }), "Stored (or already stored)."), ...commonErrors, 404: jsonContent(errorSchema, "`not_found:assignment`: no such task of the caller's in that campaign."), 409: jsonContent(errorSchema, "`conflict:lease_expired`: the lease expired and others completed the pair (take the next one); `conflict:already_judged` (edit that judgment instead), `conflict:skipped`, `conflict:submission_id` (the id was used for another task), or `conflict:campaign_not_active`: the campaign is paused or archived.") },
  });
  registry.registerPath({
    method: "patch",
    path: "/api/v1/judgments/{id}",
    summary: "Change one's own judgment within the campaign's undo window.",
    tags: ["labeling"],
    request: { params: idParams, body: { content: { "application/json": { schema: editJudgmentSchema } } } },
    responses: { 200: jsonContent(z.object({ judgment: judgmentSchema }), "Changed."), ...commonErrors, 409: jsonContent(errorSchema, "`conflict:undo_window`: past the campaign's undo window; or `conflict:campaign_not_active`: the campaign is paused or archived.") },
  });
  registry.registerPath({
    method: "delete",
    path: "/api/v1/judgments/{id}",
    summary: "Undo one's own judgment within the window; the pair comes back as a live task. Sending the same undo again answers the same task and removes nothing more, until the pair is judged or skipped again.",
    tags: ["labeling"],
    request: { params: idParams },
    responses: { 200: jsonContent(z.object({ task: taskSchema }), "The task, to judge again."), ...commonErrors, 409: jsonContent(errorSchema, "`conflict:undo_window`: past the campaign's undo window; or `conflict:campaign_not_active`: the campaign is paused or archived.") },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/assignments/{id}/skip",
    summary: "Skip a leased task with a reason; the pair returns to the pool for others.",
    tags: ["labeling"],
    request: { params: idParams, body: { content: { "application/json": { schema: skipSchema } } } },
    responses: { 204: { description: "Skipped." }, ...commonErrors, 409: jsonContent(errorSchema, "`conflict:already_judged`: the pair was judged; or `conflict:campaign_not_active`: the campaign is paused or archived.") },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/me/stats",
    summary: "The caller's labeling figures.",
    tags: ["labeling"],
    request: { query: labelerStatsQuerySchema },
    responses: { 200: jsonContent(z.object({ stats: statsSchema }), "Figures."), ...commonErrors },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/campaigns/{id}/quality",
    summary: "Completion, per-labeler figures, Krippendorff's alpha, agreement, position and length bias (researchers, admins).",
    tags: ["labeling"],
    request: { params: idParams },
    responses: { 200: jsonContent(z.object({ quality: qualitySchema }), "Figures."), ...commonErrors },
  });
}
