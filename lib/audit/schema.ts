import { z } from "zod";

const day = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar day (YYYY-MM-DD, UTC), or nothing for a missing or malformed one. */
const daySchema = z
  .string()
  .regex(day)
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
  .optional()
  .catch(undefined);

const textSchema = z.string().trim().max(200).optional().catch(undefined).transform((v) => v || undefined);

/**
 * The audit log's filters as they travel in the URL (`?action=…&actor=…&from=…&to=…`), so
 * a filtered view survives a reload and can be shared. A malformed value is dropped, not
 * an error: a hand-edited URL still shows the log.
 */
export const auditFilterSchema = z.object({
  /** Exact action, e.g. `user.role_changed`. */
  action: textSchema,
  /** Part of the actor's email, any case; `system` for events no user caused. */
  actor: textSchema,
  /** First day shown, inclusive (UTC). */
  from: daySchema,
  /** Last day shown, inclusive (UTC). */
  to: daySchema,
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;
