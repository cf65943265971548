import { apiRoute, parseJsonBody } from "@/lib/api/handler";
import { requireApiRole } from "@/lib/auth/guard";
import { createUserSchema } from "@/lib/users/schema";
import { createUser, listUsers, toUserDto } from "@/lib/users/users";

export const GET = apiRoute(async (request) => {
  await requireApiRole(request, "admin");
  return Response.json({ users: (await listUsers()).map(toUserDto) });
});

export const POST = apiRoute(async (request) => {
  const admin = await requireApiRole(request, "admin");
  const input = await parseJsonBody(request, createUserSchema);
  const user = await createUser({ input, actorId: admin.id });
  return Response.json({ user: toUserDto(user) }, { status: 201 });
});
