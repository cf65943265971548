import { apiRoute } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { snapshotDto } from "@/lib/snapshots/schema";
import { getSnapshot } from "@/lib/snapshots/snapshots";

export const GET = apiRoute<IdContext>(async (request, { params }) => {
  await requireApiRole(request, "researcher", "admin");
  const snapshot = await getSnapshot({ snapshotId: await idParam(params, "snapshot") });
  return Response.json({ snapshot: snapshotDto(snapshot) });
});
