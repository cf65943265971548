/**
 * A checkpoint as one download: its folder (model.safetensors, config.json, tokenizer.json,
 * tokenizer_config.json, pairwise.json) as a zip or a tar, every file under a folder named after the checkpoint.
 */
import "server-only";
import { AppError } from "@/lib/errors";
import { tarStream } from "@/lib/exports/tar";
import { zipStream } from "@/lib/exports/zip";
import { FolderCheckpointStore } from "@/trainer/checkpoint";
import { getCheckpoint } from "./registry";
import type { CheckpointArchiveFormat } from "./schema";

const contentTypes: Record<CheckpointArchiveFormat, string> = { zip: "application/zip", tar: "application/x-tar" };

export async function checkpointArchive({ checkpointId, format }: { checkpointId: string; format: CheckpointArchiveFormat }): Promise<{ body: AsyncGenerator<Uint8Array>; contentType: string; filename: string }> {
  const checkpoint = await getCheckpoint({ checkpointId });
  if (!checkpoint) throw new AppError("not_found:checkpoint", "No such checkpoint.");
  const files = await new FolderCheckpointStore().load(checkpoint.storeKey).catch((cause: unknown) => {
    throw new AppError("not_found:checkpoint_files", "The checkpoint's files are not in the checkpoint store.", { cause });
  });
  const entries = Object.entries(files)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, data]) => ({ name: `${checkpoint.storeKey}/${name}`, data }));
  const mtime = checkpoint.createdAt;
  return {
    body: format === "zip" ? zipStream(entries, { mtime }) : tarStream(entries, { mtime }),
    contentType: contentTypes[format],
    filename: `${checkpoint.storeKey}.${format}`,
  };
}
