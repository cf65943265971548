import { campaignOrderingValues, campaignStatusValues, rationaleModeValues } from "@/db/values";
import { z } from "@/lib/api/zod";

/** A campaign's options. Stored in `campaigns.settings`; defaults fill missing keys. */
export const campaignSettingsSchema = z
  .object({
    allowTie: z.boolean().default(true),
    allowBothBad: z.boolean().default(true),
    askStrength: z.boolean().default(true),
    rationale: z.enum(rationaleModeValues).default("optional"),
    /** Share of tasks drawn from gold pairs, 0..0.5. */
    goldRate: z.number().min(0).max(0.5).default(0.1),
    /** How long a labeler holds a pair before it returns to the pool. */
    leaseMinutes: z.number().int().min(1).max(24 * 60).default(15),
    /** finish-first: pairs closest to done first; spread: pairs with fewest judgments first. */
    ordering: z.enum(campaignOrderingValues).default("finish-first"),
    /** How long after submitting a labeler may undo or edit a judgment. */
    undoMinutes: z.number().int().min(0).max(24 * 60).default(10),
  })
  .openapi("CampaignSettings");
export type CampaignSettings = z.infer<typeof campaignSettingsSchema>;

const campaignStatusSchema = z.enum(campaignStatusValues);

// Strict, here and in settings, as every request body is: a misplaced key (`settings.overlap`
// for `overlap`) dropped without a word would leave the default in its place.
export const createCampaignSchema = z
  .object({
    name: z.string().trim().min(1, "Give the campaign a name.").max(200),
    guidelines: z.string().max(50_000).default(""),
    overlap: z.number().int().min(1).max(20).default(3),
    status: campaignStatusSchema.default("draft"),
    settings: campaignSettingsSchema.partial().strict().default({}),
    /** Labelers allowed to work on it; empty = every labeler. */
    labelerIds: z.array(z.uuid()).max(10_000).default([]),
  })
  .strict()
  .openapi("CreateCampaign");
export type CreateCampaignInput = z.input<typeof createCampaignSchema>;

/** The same fields with their defaults taken off, so that a patch changes only what it names. */
function withoutDefaults<T extends Record<string, z.ZodType>>(shape: T) {
  return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v instanceof z.ZodDefault ? v.unwrap() : v])) as {
    [K in keyof T]: T[K] extends z.ZodDefault<infer Inner> ? Inner : T[K];
  };
}

// Not `createCampaignSchema.partial()`: zod fills a default into an optional field, so a
// PATCH of one field would reset the others (status to draft, the member list to empty).
export const updateCampaignSchema = z
  .object({
    ...withoutDefaults(createCampaignSchema.shape),
    settings: z.object(withoutDefaults(campaignSettingsSchema.shape)).partial().strict(),
  })
  .partial()
  .strict()
  .openapi("UpdateCampaign");
export type UpdateCampaignInput = z.input<typeof updateCampaignSchema>;

export const campaignSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    guidelines: z.string(),
    overlap: z.number(),
    status: campaignStatusSchema,
    settings: campaignSettingsSchema,
    labelerIds: z.array(z.uuid()),
    pairCount: z.number(),
    completedPairs: z.number(),
    createdAt: z.string(),
  })
  .openapi("Campaign");
export type CampaignDto = z.infer<typeof campaignSchema>;
