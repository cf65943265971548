import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { commonErrors, errorSchema, jsonContent } from "@/lib/api/openapi-common";
import { z } from "@/lib/api/zod";
import { exportManifestSchema, exportQuerySchema } from "./schema";

const idParams = z.object({ id: z.uuid() });

export function registerExportPaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: "get",
    path: "/api/v1/snapshots/{id}/export",
    summary:
      "Download a snapshot in one format, streamed (researchers: anonymised variant; admins: all). Writes an export.created audit event. The same salt gives the same bytes.",
    tags: ["exports"],
    request: { params: idParams, query: exportQuerySchema },
    responses: {
      200: {
        description: "The file, with Content-Disposition: attachment. Its manifest is at ./export/manifest with the same query.",
        content: {
          "application/x-ndjson": { schema: z.string() },
          "text/csv": { schema: z.string() },
          "application/vnd.apache.parquet": { schema: z.string().openapi({ format: "binary" }) },
          "application/x-tar": { schema: z.string().openapi({ format: "binary" }) },
          "application/gzip": { schema: z.string().openapi({ format: "binary" }) },
        },
      },
      ...commonErrors,
      404: jsonContent(errorSchema, "No such snapshot."),
    },
  });
  registry.registerPath({
    method: "get",
    path: "/api/v1/snapshots/{id}/export/manifest",
    summary: "The manifest an export with this query would carry: snapshot id and hash, counts, format version, fields.",
    tags: ["exports"],
    request: { params: idParams, query: exportQuerySchema },
    responses: { 200: jsonContent(z.object({ manifest: exportManifestSchema }), "The manifest."), ...commonErrors, 404: jsonContent(errorSchema, "No such snapshot.") },
  });
}
