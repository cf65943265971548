import { z } from "zod";
import { apiRoute, parseJsonBody } from "@/lib/api/handler";
import { requireApiRole } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { updateUserSchema } from "@/lib/users/schema";
import { toUserDto, updateUser } from "@/lib/users/users";

type Ctx = { params: Promise<{ id: string }> };

export const PATCH = apiRoute<Ctx>(async (request, { params }) => {
  const admin = await requireApiRole(request, "admin");
  const id = z.uuid().safeParse((await params).id);
  if (!id.success) throw new AppError("not_found:user", "No such user.");
  const input = await parseJsonBody(request, updateUserSchema);
  const user = await updateUser({ userId: id.data, input, actorId: admin.id });
  return Response.json({ user: toUserDto(user) });
});
