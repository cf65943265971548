import "server-only";
import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { MAX_JSON_BODY_BYTES } from "@/lib/api/handler";
import { registerCampaignPaths } from "@/lib/campaigns/openapi";
import { registerExportPaths } from "@/lib/exports/openapi";
import { registerHealthPaths } from "@/lib/health/openapi";
import { registerLabelingPaths } from "@/lib/labeling/openapi";
import { registerRunPaths } from "@/lib/runs/openapi";
import { registerSnapshotPaths } from "@/lib/snapshots/openapi";
import { registerUserPaths } from "@/lib/users/openapi";

/** Each domain adds its routes here; the document is built from the handlers' own schemas. */
export function buildOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearerToken", {
    type: "http",
    scheme: "bearer",
    description: "A personal API token (researchers and admins), created on the Tokens page.",
  });
  registry.registerComponent("securitySchemes", "session", { type: "apiKey", in: "cookie", name: "next-auth.session-token" });
  registerHealthPaths(registry);
  registerUserPaths(registry);
  registerCampaignPaths(registry);
  registerLabelingPaths(registry);
  registerSnapshotPaths(registry);
  registerExportPaths(registry);
  registerRunPaths(registry);
  const doc = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Pairwise API",
      version: "1",
      description: "Label preferences, manage campaigns and runs. Authenticate with a session cookie or `Authorization: Bearer <token>`.",
    },
    servers: [{ url: "/" }],
    security: [{ bearerToken: [] }, { session: [] }],
  });
  // Every route with an id in its path answers 404 for one that names nothing, malformed or not
  // (lib/api/params.ts), whether or not its registration says so.
  for (const [route, item] of Object.entries(doc.paths ?? {})) {
    if (!route.includes("{id}")) continue;
    for (const method of ["get", "post", "put", "patch", "delete"] as const) {
      const op = item[method];
      if (op?.responses && !op.responses["404"]) {
        op.responses["404"] = { description: "No such record: the id names nothing (or is not a uuid).", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
      }
    }
  }
  // Every route that reads a JSON body refuses one over MAX_JSON_BODY_BYTES (lib/api/handler.ts).
  for (const item of Object.values(doc.paths ?? {})) {
    for (const method of ["post", "put", "patch", "delete"] as const) {
      const op = item[method];
      const body = op?.requestBody && "content" in op.requestBody ? op.requestBody.content : undefined;
      if (op?.responses && body?.["application/json"] && !op.responses["413"]) {
        op.responses["413"] = { description: `The JSON body is over ${MAX_JSON_BODY_BYTES} bytes.`, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
      }
    }
  }
  return doc;
}
