import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { commonErrors, jsonContent } from "@/lib/api/openapi-common";
import { z } from "@/lib/api/zod";
import { createSnapshotSchema, snapshotSchema } from "./schema";

export function registerSnapshotPaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: "get",
    path: "/api/v1/snapshots",
    summary: "Dataset snapshots (researchers, admins).",
    tags: ["snapshots"],
    responses: { 200: jsonContent(z.object({ snapshots: z.array(snapshotSchema) }), "Newest first."), ...commonErrors },
  });
  registry.registerPath({
    method: "post",
    path: "/api/v1/snapshots",
    summary: "Freeze the judgments matching the filters into an immutable, hashed snapshot.",
    tags: ["snapshots"],
    request: { body: { content: { "application/json": { schema: createSnapshotSchema } } } },
    responses: { 201: jsonContent(z.object({ snapshot: snapshotSchema }), "The snapshot."), ...commonErrors },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/snapshots/{id}",
    summary: "A snapshot: filters, counts, content hash, labeler reliability.",
    tags: ["snapshots"],
    request: { params: z.object({ id: z.uuid() }) },
    responses: { 200: jsonContent(z.object({ snapshot: snapshotSchema }), "The snapshot."), ...commonErrors },
  });
}
