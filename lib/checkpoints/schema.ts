import { checkpointImportKindValues, checkpointKindValues, scoreTokenValues } from "@/db/values";
import { z } from "@/lib/api/zod";

const checkpointArchiveFormats = ["zip", "tar"] as const;
export type CheckpointArchiveFormat = (typeof checkpointArchiveFormats)[number];

/** `GET /api/v1/checkpoints/{id}/download` query. */
export const checkpointDownloadQuerySchema = z.object({
  format: z
    .enum(checkpointArchiveFormats)
    .default("zip")
    .openapi({ description: "zip (default; stored, uncompressed) or tar (POSIX ustar). Either holds one folder named after the checkpoint." }),
});

const checkpointKindSchema = z.enum(checkpointKindValues);

/** `GET /api/v1/checkpoints` query. */
export const listCheckpointsQuerySchema = z.object({
  kind: checkpointKindSchema.optional().openapi({ description: "Only checkpoints of this kind." }),
});

/** A registered checkpoint as the API shows it: `id` for parentCheckpointId and the playground, `storeKey` for run configs (`reward`, `baseline`, …). */
export const checkpointSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: checkpointKindSchema,
    storeKey: z.string().openapi({ description: "Its name in the checkpoint store: what a run's config names it by." }),
    parentId: z.uuid().nullable().openapi({ description: "The checkpoint it was trained from." }),
    runId: z.uuid().nullable().openapi({ description: "The run that made it; null for shipped and imported checkpoints." }),
    paramCount: z.number().int(),
    sizeBytes: z.number().int(),
    metrics: z.record(z.string(), z.number()).openapi({ description: "Its training run's last metrics." }),
    readsScoreAtEndOfText: z.boolean().openapi({ description: "A reward model that reads its score at end-of-text (an earlier release's, or OpenRLHF's) rather than where transformers does." }),
    createdAt: z.string(),
  })
  .openapi("Checkpoint");
export type CheckpointDto = z.infer<typeof checkpointSchema>;

/** `POST /api/v1/checkpoints`: the form's fields beside its files. */
export const checkpointImportFieldsSchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "Use letters, digits, '.', '_' or '-' (128 at most), starting with a letter or digit.")
    .openapi({ description: "The new checkpoint's name, also its folder in the checkpoint store." }),
  kind: z
    .enum(["", ...checkpointImportKindValues])
    .default("")
    .openapi({ description: "base, sft or reward; empty: reward when model.safetensors has a score head (score.weight), else base." }),
  scoreToken: z
    .enum(scoreTokenValues)
    .default("before-end-of-text")
    .openapi({ description: "Reward models: where the score was trained to be read. before-end-of-text: transformers and TRL; end-of-text: OpenRLHF." }),
});

/**
 * Whether a registered reward checkpoint reads its score at end-of-text (saved by an earlier
 * release, or imported from OpenRLHF) instead of where transformers reads it. Rows registered
 * before the record carried scoreToken are all of the first kind.
 */
export function readsScoreAtEndOfText(c: { kind: string; config: Record<string, unknown> }): boolean {
  return c.kind === "reward" && c.config.scoreToken !== "before-end-of-text";
}

export function checkpointDto(c: { id: string; name: string; kind: CheckpointDto["kind"]; storeKey: string; parentId: string | null; runId: string | null; paramCount: number; sizeBytes: number; metrics: Record<string, number>; config: Record<string, unknown>; createdAt: Date }): CheckpointDto {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    storeKey: c.storeKey,
    parentId: c.parentId,
    runId: c.runId,
    paramCount: c.paramCount,
    sizeBytes: c.sizeBytes,
    metrics: c.metrics,
    readsScoreAtEndOfText: readsScoreAtEndOfText(c),
    createdAt: c.createdAt.toISOString(),
  };
}
