import { snapshotAggregateValues } from "@/db/values";
import { z } from "@/lib/api/zod";
import { exportFormats } from "./formats";

const flag = z
  .enum(["1", "0", "true", "false"])
  .transform((v) => v === "1" || v === "true")
  .optional();

/** The options of an export, as query parameters (API) and flags (CLI) give them. */
export const exportQuerySchema = z.object({
  format: z.enum(exportFormats).openapi({ description: "The file format." }),
  gzip: flag.openapi({ description: "1: gzip the file (.gz); the hf-dataset tar becomes .tar.gz. Refused for parquet, which is compressed inside." }),
  salt: z
    .string()
    .min(8, "A salt needs at least 8 characters.")
    .max(200)
    .optional()
    .openapi({ description: "Key of the labeler pseudonyms (HMAC-SHA256). Same salt, same bytes; unset: a random one, so pseudonyms differ every export." }),
  anonymised: flag.openapi({ description: "1: the anonymised variant (no rationale). Researchers always get it; admins may ask for it." }),
})
  // A gzipped Parquet file is opened by no Parquet reader (pyarrow, pandas, datasets: "magic bytes not found"), and its
  // pages are compressed already (snappy).
  .refine((q) => !(q.format === "parquet" && q.gzip), {
    path: ["gzip"],
    message: "Parquet is compressed inside (snappy pages), and a gzipped .parquet.gz is a file no Parquet reader opens: leave gzip out.",
  });
export type ExportQuery = z.infer<typeof exportQuerySchema>;

const exportFieldSchema = z.object({ name: z.string(), type: z.string(), description: z.string() });

export const exportManifestSchema = z
  .object({
    format: z.enum(exportFormats),
    formatVersion: z.string(),
    title: z.string(),
    rowIs: z.string(),
    filename: z.string(),
    contentType: z.string(),
    gzip: z.boolean(),
    snapshot: z.object({ id: z.uuid(), name: z.string(), contentHash: z.string(), createdAt: z.string(), aggregate: z.enum(snapshotAggregateValues) }),
    counts: z.record(z.string(), z.number()),
    fields: z.array(exportFieldSchema),
    anonymised: z.boolean(),
    pseudonymisation: z
      .object({ method: z.literal("HMAC-SHA256"), hexDigits: z.number(), saltGiven: z.boolean() })
      .nullable()
      .openapi({ description: "How labeler ids were replaced; null for formats without labelers. The salt itself is never stored." }),
    files: z.array(z.string()).optional().openapi({ description: "hf-dataset: the files of the folder." }),
  })
  .openapi("ExportManifest");
export type ExportManifest = z.infer<typeof exportManifestSchema>;
