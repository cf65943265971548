import { apiRoute } from "@/lib/api/handler";
import { idParam, type IdContext } from "@/lib/api/params";
import { requireApiRole } from "@/lib/auth/guard";
import { getCampaign } from "@/lib/campaigns/campaigns";
import { AppError } from "@/lib/errors";
import { importFile, recordImportRefused } from "@/lib/imports/import";
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
  let received = false;
  const result = await withUploadedFile(request, (file) => {
    received = true;
    return importFile({ campaignId: campaign.id, file, options, actorId: user.id });
  }).catch(async (err: unknown) => {
    // Refused before importFile saw a file (it records its own refusals): no body, or over the limit.
    const reason = err instanceof AppError && !received ? { payload_too_large: "too_large", "bad_request:empty_import": "empty" }[err.code as string] : undefined;
    if (reason) await recordImportRefused({ campaignId: campaign.id, actorId: user.id, details: { reason } });
    throw err;
  });
  return Response.json(result, { status: result.ok ? 200 : 422 });
});
