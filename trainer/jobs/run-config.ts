import type { z } from "zod";

/**
 * Parses a run's config (or the part a job reads itself) with a zod schema. A refusal names
 * every offending key the way the runs page shows it, `config.<key>: <message>`, joined by "; ".
 */
export function parseRunConfig<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new Error(parsed.error.issues.map((i) => `config${i.path.length ? `.${i.path.join(".")}` : ""}: ${i.message}`).join("; "));
}
