import { apiRoute } from "@/lib/api/handler";
import { requireApiUser } from "@/lib/auth/guard";
import { labelerStats } from "@/lib/labeling/quality";

export const GET = apiRoute(async (request) => {
  const user = await requireApiUser(request);
  return Response.json({ stats: await labelerStats({ labelerId: user.id }) });
});
