import "server-only";
import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
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
  return doc;
}
