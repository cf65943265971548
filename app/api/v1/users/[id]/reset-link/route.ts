import { apiRoute } from "@/lib/api/handler";
import { type IdContext, idParam } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { createPasswordResetLink, issuedLinkDto } from "@/lib/users/account-links";

/** Admins: a one-time password-reset link for a user; an earlier unused one stops working. */
export const POST = apiRoute(async (request, { params }: IdContext) => {
  const admin = await requireApiRole(request, "admin");
  const userId = await idParam(params, "user");
  return Response.json({ link: issuedLinkDto(await createPasswordResetLink({ userId, actorId: admin.id }), request.url) }, { status: 201 });
});
