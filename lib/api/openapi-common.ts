import type { RouteConfig } from "@asteasolutions/zod-to-openapi";
import { z } from "./zod";

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "forbidden" }),
      message: z.string(),
      requestId: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema } } });

/** The error responses every authenticated route can give. */
export const commonErrors: RouteConfig["responses"] = {
  400: json(errorSchema, "The request is not valid."),
  401: json(errorSchema, "Not signed in, or the API token is invalid or revoked; `unauthorized:account_disabled` when an admin disabled the account."),
  403: json(errorSchema, "The caller's role may not do this; `forbidden:token_role` when the API token's owner is no longer a researcher or admin."),
  503: json(errorSchema, "The database is not reachable right now (`unavailable:database`, with `Retry-After`); send the same request again."),
};

export { json as jsonContent };
