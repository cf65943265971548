import { snapshotAggregateValues } from "@/db/values";
import { dateTimeSchema, z } from "@/lib/api/zod";

export const snapshotFiltersSchema = z
  .object({
    campaignIds: z.array(z.uuid()).min(1, "Pick at least one campaign.").max(100),
    from: dateTimeSchema.optional().openapi({ description: "Judgments at or after this time." }),
    to: dateTimeSchema.optional().openapi({ description: "Judgments before this time." }),
    labelerIds: z.array(z.uuid()).max(10_000).default([]).openapi({ description: "Only these labelers; empty = everyone." }),
    excludeLabelerIds: z.array(z.uuid()).max(10_000).default([]),
    minGoldAccuracy: z.number().min(0).max(1).optional().openapi({ description: "Drop labelers whose gold accuracy (with 5+ gold answers) is below this." }),
    includeTies: z.boolean().default(false),
    includeBothBad: z.boolean().default(false).openapi({ description: "Kept as ties; dropped by default." }),
    aggregate: z.enum(snapshotAggregateValues).default("all").openapi({ description: "all: one row per judgment; majority: one row per pair." }),
    weightByReliability: z.boolean().default(false).openapi({ description: "Row weight = the labeler's estimated reliability (all votes) or the majority's vote share." }),
  })
  .openapi("SnapshotFilters");
export type SnapshotFilters = z.infer<typeof snapshotFiltersSchema>;

// Strict where a request names the filters (a misspelt one would widen the snapshot without a
// word); stored filters are read with the lenient schema above.
export const createSnapshotSchema = z
  .object({ name: z.string().trim().min(1).max(200), filters: snapshotFiltersSchema.strict() })
  .strict()
  // A window that ends before it starts matches nothing; refused as "No judgments match these filters" it hid the swap.
  .refine(({ filters: { from, to } }) => !from || !to || Date.parse(from) < Date.parse(to), {
    path: ["filters", "to"],
    message: "must be after filters.from (the window is [from, to)): swap them",
  })
  .openapi("CreateSnapshot");
export type CreateSnapshotInput = z.input<typeof createSnapshotSchema>;

export const snapshotSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    contentHash: z.string(),
    filters: snapshotFiltersSchema,
    counts: z.record(z.string(), z.number()),
    labelerReliability: z.record(z.string(), z.number()),
    createdBy: z.uuid().nullable().openapi({ description: "The user who froze it; null when a script or the CLI did." }),
    createdAt: z.string(),
  })
  .openapi("Snapshot");
export type SnapshotDto = z.infer<typeof snapshotSchema>;

/** A snapshot row as the API shows it: the fields of `snapshotSchema`, no more. */
export function snapshotDto(s: Omit<SnapshotDto, "createdAt" | "filters"> & { filters: unknown; createdAt: Date }): SnapshotDto {
  const { id, name, contentHash, counts, labelerReliability, createdBy } = s;
  return { id, name, contentHash, filters: s.filters as SnapshotDto["filters"], counts, labelerReliability, createdBy, createdAt: s.createdAt.toISOString() };
}
