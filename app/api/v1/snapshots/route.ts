import { apiRoute, parseJsonBody } from "@/lib/api/handler";
import { requireApiRole } from "@/lib/auth/guard";
import { createSnapshotSchema } from "@/lib/snapshots/schema";
import { createSnapshot, listSnapshots } from "@/lib/snapshots/snapshots";

const dto = (s: Awaited<ReturnType<typeof createSnapshot>>) => ({ ...s, createdAt: s.createdAt.toISOString() });

export const GET = apiRoute(async (request) => {
  await requireApiRole(request, "researcher", "admin");
  return Response.json({ snapshots: (await listSnapshots()).map(dto) });
});

export const POST = apiRoute(async (request) => {
  const user = await requireApiRole(request, "researcher", "admin");
  const input = await parseJsonBody(request, createSnapshotSchema);
  return Response.json({ snapshot: dto(await createSnapshot({ input, actorId: user.id })) }, { status: 201 });
});
