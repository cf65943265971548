import { apiRoute, parseJsonBody } from "@/lib/api/handler";
import { requireApiRole } from "@/lib/auth/guard";
import { createSnapshotSchema, snapshotDto } from "@/lib/snapshots/schema";
import { createSnapshot, listSnapshots } from "@/lib/snapshots/snapshots";

export const GET = apiRoute(async (request) => {
  await requireApiRole(request, "researcher", "admin");
  return Response.json({ snapshots: (await listSnapshots()).map(snapshotDto) });
});

export const POST = apiRoute(async (request) => {
  const user = await requireApiRole(request, "researcher", "admin");
  const input = await parseJsonBody(request, createSnapshotSchema);
  return Response.json({ snapshot: snapshotDto(await createSnapshot({ input, actorId: user.id })) }, { status: 201 });
});
