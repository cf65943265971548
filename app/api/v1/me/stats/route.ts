import { apiRoute } from "@/lib/api/handler";
import { requireApiUser } from "@/lib/auth/guard";
import { labelerStats } from "@/lib/labeling/quality";
import { labelerStatsQuerySchema } from "@/lib/labeling/schema";

export const GET = apiRoute(async (request) => {
  const user = await requireApiUser(request);
  const { tz } = labelerStatsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json({ stats: await labelerStats({ labelerId: user.id, timeZone: tz }) });
});
