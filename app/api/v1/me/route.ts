import { apiRoute } from "@/lib/api/handler";
import { requireApiUser } from "@/lib/auth/guard";
import { toUserDto } from "@/lib/users/users";

export const GET = apiRoute(async (request) => {
  const user = await requireApiUser(request);
  return Response.json({ user: toUserDto(user) });
});
