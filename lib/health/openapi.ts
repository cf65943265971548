import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { jsonContent } from "@/lib/api/openapi-common";
import { z } from "@/lib/api/zod";

const healthSchema = z
  .object({
    status: z.enum(["ok", "degraded", "down"]).openapi({ description: "degraded: the database answers but a worker or a migration is missing." }),
    db: z.enum(["ok", "down"]),
    migrations: z.object({ applied: z.number(), shipped: z.number(), pending: z.number() }).nullable(),
    worker: z.object({ lastHeartbeatSeconds: z.number().nullable(), backend: z.string().nullable(), live: z.number() }),
    failing: z.array(z.string()).optional(),
  })
  .openapi("Health");

export function registerHealthPaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: "get",
    path: "/api/health",
    summary: "Liveness of the database, migrations and trainer workers. No authentication.",
    tags: ["health"],
    security: [],
    responses: {
      200: jsonContent(healthSchema, "The database answers (status ok or degraded)."),
      503: jsonContent(healthSchema, "The database is down; `failing` names the part."),
    },
  });
}
