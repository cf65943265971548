import { z } from "@/lib/api/zod";

export const checkpointArchiveFormats = ["zip", "tar"] as const;
export type CheckpointArchiveFormat = (typeof checkpointArchiveFormats)[number];

/** `GET /api/v1/checkpoints/{id}/download` query. */
export const checkpointDownloadQuerySchema = z.object({
  format: z
    .enum(checkpointArchiveFormats)
    .default("zip")
    .openapi({ description: "zip (default; stored, uncompressed) or tar (POSIX ustar). Either holds one folder named after the checkpoint." }),
});
