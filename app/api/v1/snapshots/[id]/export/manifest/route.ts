import { apiRoute } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { exportRoles } from "@/lib/exports/formats";
import { exportManifest } from "@/lib/exports/exports";
import { exportQuerySchema } from "@/lib/exports/schema";

export const GET = apiRoute<IdContext>(async (request, { params }) => {
  const user = await requireApiRole(request, ...exportRoles);
  const snapshotId = await idParam(params, "snapshot");
  const query = exportQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json({ manifest: await exportManifest({ snapshotId, query, actor: { id: user.id, role: user.role } }) });
});
