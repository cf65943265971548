import { Readable } from "node:stream";
import { apiRoute } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { getCheckpoint } from "@/lib/checkpoints/registry";
import { AppError } from "@/lib/errors";
import { tarStream } from "@/lib/exports/tar";
import { FolderCheckpointStore } from "@/trainer/checkpoint";

/** The checkpoint folder as a tar: model.safetensors, config.json, tokenizer.json, pairwise.json. */
export const GET = apiRoute<IdContext>(async (request, { params }) => {
  await requireApiRole(request, "researcher", "admin");
  const checkpoint = await getCheckpoint({ checkpointId: await idParam(params, "checkpoint") });
  if (!checkpoint) throw new AppError("not_found:checkpoint", "No such checkpoint.");
  const files = await new FolderCheckpointStore().load(checkpoint.storeKey).catch((cause) => {
    throw new AppError("not_found:checkpoint_files", "The checkpoint's files are not in the checkpoint store.", { cause });
  });
  const entries = Object.entries(files)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, data]) => ({ name: `${checkpoint.storeKey}/${name}`, data }));
  const body = Readable.toWeb(Readable.from(tarStream(entries, { mtime: checkpoint.createdAt }))) as ReadableStream;
  return new Response(body, {
    headers: { "content-type": "application/x-tar", "content-disposition": `attachment; filename="${checkpoint.storeKey}.tar"` },
  });
});
