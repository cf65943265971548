import { z } from "@/lib/api/zod";
import { importKinds, scoreTokens } from "@/trainer/hf-import";

export const checkpointArchiveFormats = ["zip", "tar"] as const;
export type CheckpointArchiveFormat = (typeof checkpointArchiveFormats)[number];

/** `GET /api/v1/checkpoints/{id}/download` query. */
export const checkpointDownloadQuerySchema = z.object({
  format: z
    .enum(checkpointArchiveFormats)
    .default("zip")
    .openapi({ description: "zip (default; stored, uncompressed) or tar (POSIX ustar). Either holds one folder named after the checkpoint." }),
});

/** `POST /api/v1/checkpoints`: the form's fields beside its files. */
export const checkpointImportFieldsSchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "Use letters, digits, '.', '_' or '-' (128 at most), starting with a letter or digit.")
    .openapi({ description: "The new checkpoint's name, also its folder in the checkpoint store." }),
  kind: z
    .enum(["", ...importKinds])
    .default("")
    .openapi({ description: "base, sft or reward; empty: reward when model.safetensors has a score head (score.weight), else base." }),
  scoreToken: z
    .enum(scoreTokens)
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
