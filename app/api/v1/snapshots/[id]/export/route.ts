import { apiRoute } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { exportRoles } from "@/lib/exports/formats";
import { startExport, toWebStream } from "@/lib/exports/exports";
import { exportQuerySchema } from "@/lib/exports/schema";
import { logger } from "@/lib/logger";

/** Streams the export file; its manifest is at ./manifest with the same query. */
export const GET = apiRoute<IdContext>(async (request, { params }) => {
  const user = await requireApiRole(request, ...exportRoles);
  const snapshotId = await idParam(params, "snapshot");
  const query = exportQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const started = await startExport({ snapshotId, query, actor: { id: user.id, role: user.role }, via: "api" });
  const body = toWebStream(started.body, (err) => logger.error({ err, snapshotId, format: query.format }, "export stream failed"));
  return new Response(body, {
    headers: {
      "content-type": started.contentType,
      "content-disposition": `attachment; filename="${started.filename}"`,
      "cache-control": "no-store",
      "x-export-format-version": started.manifest.formatVersion,
      "x-snapshot-hash": started.manifest.snapshot.contentHash,
    },
  });
});
