import type { z } from "zod";
import { schemaProblems } from "@/lib/runs/config-rules";

/**
 * Parses a run's config (or the part a job reads itself) with a zod schema. A refusal names
 * every offending key the way the runs page shows it, `config.<key>: <message>`, joined by "; ".
 */
export function parseRunConfig<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new Error(schemaProblems(schema, value).join("; "));
}
