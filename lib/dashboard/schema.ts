import { z } from "zod";

/** The per-day chart's ranges, in UTC days. */
export const dashboardRanges = [7, 30, 90] as const;
export type DashboardRange = (typeof dashboardRanges)[number];
export const defaultRange: DashboardRange = 30;

/**
 * The dashboard's filters as they travel in the URL (`?campaign=…&days=…`), so a view survives
 * a reload and can be shared. A missing or malformed value falls back to the default instead of
 * failing: `days` to 30, `campaign` to all campaigns (an id that names no campaign is kept, so
 * the page can say so; researchDashboard then shows every campaign).
 */
export const dashboardFilterSchema = z.object({
  /** A campaign's id; absent or empty for every campaign. */
  campaign: z
    .string()
    .trim()
    .max(100)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  /** Days the per-day chart covers, today (UTC) the last. */
  days: z
    .enum(dashboardRanges.map(String) as [string, ...string[]])
    .catch(String(defaultRange))
    .transform((v) => Number(v) as DashboardRange),
});
