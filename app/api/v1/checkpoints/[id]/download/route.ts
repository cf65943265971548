import { apiRoute } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { checkpointArchive } from "@/lib/checkpoints/archive";
import { checkpointDownloadQuerySchema } from "@/lib/checkpoints/schema";
import { toWebStream } from "@/lib/exports/exports";
import { logger } from "@/lib/logger";

/** The checkpoint folder as a zip (default) or, with ?format=tar, a tar. */
export const GET = apiRoute<IdContext>(async (request, { params }) => {
  await requireApiRole(request, "researcher", "admin");
  const checkpointId = await idParam(params, "checkpoint");
  const { format } = checkpointDownloadQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const archive = await checkpointArchive({ checkpointId, format });
  const body = toWebStream(archive.body, (err) => logger.error({ err, checkpointId, format }, "checkpoint download failed"));
  return new Response(body, {
    headers: { "content-type": archive.contentType, "content-disposition": `attachment; filename="${archive.filename}"`, "cache-control": "no-store" },
  });
});
