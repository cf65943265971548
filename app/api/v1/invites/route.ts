import { apiRoute, parseJsonBody } from "@/lib/api/handler";
import { requireApiRole } from "@/lib/auth/guard";
import { createInvite, issuedLinkDto } from "@/lib/users/account-links";
import { createInviteSchema } from "@/lib/users/schema";

/** Admins: a one-time invite link for a new account, as the users page makes it. */
export const POST = apiRoute(async (request) => {
  const admin = await requireApiRole(request, "admin");
  const input = await parseJsonBody(request, createInviteSchema);
  return Response.json({ link: issuedLinkDto(await createInvite({ input, actorId: admin.id }), request.url) }, { status: 201 });
});
