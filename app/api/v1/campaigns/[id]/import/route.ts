import { apiRoute } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { getCampaign } from "@/lib/campaigns/campaigns";
import { importFile } from "@/lib/imports/import";
import { importFormatOf, importOptionsSchema } from "@/lib/imports/schema";
import { withUploadedFile } from "@/lib/imports/upload";

/**
 * Imports a JSONL or CSV file sent as the raw body (`?format=`, else the body's content type:
 * `text/csv` is CSV). 200 with the counts, or 422 with the numbered bad lines (and nothing written).
 */
export const POST = apiRoute<IdContext>(async (request, { params }) => {
  const user = await requireApiRole(request, "researcher", "admin");
  const campaign = await getCampaign({ campaignId: await idParam(params, "campaign") });
  const query = Object.fromEntries(new URL(request.url).searchParams);
  const options = importOptionsSchema.parse({ format: importFormatOf(request.headers.get("content-type")), ...query });
  const result = await withUploadedFile(request, (file) => importFile({ campaignId: campaign.id, file, options, actorId: user.id }));
  return Response.json(result, { status: result.ok ? 200 : 422 });
});
