import { apiRoute } from "@/lib/api/handler";
import { requireApiRole } from "@/lib/auth/guard";
import { importUploadedCheckpoint } from "@/lib/checkpoints/import";
import { listCheckpoints } from "@/lib/checkpoints/registry";
import { checkpointDto, listCheckpointsQuerySchema } from "@/lib/checkpoints/schema";

/** Every registered checkpoint, newest first, or those of one `kind`: their ids and the store keys run configs name them by. */
export const GET = apiRoute(async (request) => {
  await requireApiRole(request, "researcher", "admin");
  const { kind } = listCheckpointsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json({ checkpoints: (await listCheckpoints({ kind })).map(checkpointDto) });
});

/**
 * Imports a checkpoint folder's files (multipart/form-data: name, kind, scoreToken, files) and
 * registers it: 201 with the new checkpoint, 400 with the reason the files were refused.
 */
export const POST = apiRoute(async (request) => {
  const user = await requireApiRole(request, "researcher", "admin");
  const c = await importUploadedCheckpoint({ request, actorId: user.id });
  return Response.json({ id: c.id, name: c.name, kind: c.kind, storeKey: c.storeKey, paramCount: c.paramCount, sizeBytes: c.sizeBytes, createdAt: c.createdAt }, { status: 201 });
});
