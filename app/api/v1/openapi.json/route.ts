import { apiRoute } from "@/lib/api/handler";
import { buildOpenApiDocument } from "@/lib/api/openapi";

// Public: the API's description, generated from the handlers' own zod schemas.
export const GET = apiRoute(async () => Response.json(buildOpenApiDocument()));
