import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { commonErrors, errorSchema, jsonContent } from "@/lib/api/openapi-common";
import { z } from "@/lib/api/zod";
import { importOptionsSchema, importResultSchema } from "@/lib/imports/schema";
import { MAX_IMPORT_BYTES } from "@/lib/imports/upload";
import { campaignSchema, createCampaignSchema, updateCampaignSchema } from "./schema";

const idParams = z.object({ id: z.uuid() });
const summary = campaignSchema.pick({ id: true, name: true, status: true, overlap: true, pairCount: true, completedPairs: true, createdAt: true });

export function registerCampaignPaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: "get",
    path: "/api/v1/campaigns",
    summary: "Campaigns: all for researchers and admins; for labelers, the active ones they may work on.",
    tags: ["campaigns"],
    responses: { 200: jsonContent(z.object({ campaigns: z.array(summary) }), "Campaigns."), ...commonErrors },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/campaigns",
    summary: "Create a campaign (researchers, admins).",
    tags: ["campaigns"],
    request: { body: { content: { "application/json": { schema: createCampaignSchema } } } },
    responses: { 201: jsonContent(z.object({ campaign: campaignSchema }), "The campaign."), ...commonErrors },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/campaigns/{id}",
    summary: "A campaign (labelers: only one they may work on, without its member list).",
    tags: ["campaigns"],
    request: { params: idParams },
    responses: { 200: jsonContent(z.object({ campaign: campaignSchema }), "The campaign."), ...commonErrors },
  });
  registry.registerPath({
    method: "patch",
    path: "/api/v1/campaigns/{id}",
    summary: "Edit a campaign: name, guidelines, overlap, status, settings, labelers (researchers, admins).",
    tags: ["campaigns"],
    request: { params: idParams, body: { content: { "application/json": { schema: updateCampaignSchema } } } },
    responses: { 200: jsonContent(z.object({ campaign: campaignSchema }), "The campaign."), ...commonErrors },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/campaigns/{id}/import",
    summary: "Import a JSONL or CSV file (the raw request body) of pairs; all or nothing (researchers, admins).",
    tags: ["campaigns"],
    request: {
      params: idParams,
      query: importOptionsSchema,
      body: { content: { "application/x-ndjson": { schema: z.string() }, "text/csv": { schema: z.string() } } },
    },
    responses: {
      200: jsonContent(importResultSchema, "Imported."),
      422: jsonContent(importResultSchema, "Refused: the bad lines, numbered; nothing written but a campaign.import_refused audit event (as for a binary, empty or too large file)."),
      413: jsonContent(errorSchema, `Over ${MAX_IMPORT_BYTES / 2 ** 20} MB.`),
      ...commonErrors,
      409: jsonContent(errorSchema, "`conflict:import_changed`: the file changed while it was imported; nothing was written."),
    },
  });
}
