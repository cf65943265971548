"use server";
import { revalidatePath } from "next/cache";
import { actionResult, formArg, idArg, type ActionResult } from "@/lib/action-result";
import { requireRole } from "@/lib/auth/guard";
import { createCampaign, updateCampaign } from "@/lib/campaigns/campaigns";
import { createCampaignSchema } from "@/lib/campaigns/schema";

/** The campaign form's fields, as the create schema reads them. */
function fromForm(formArgument: unknown) {
  const form = formArg(formArgument);
  const num = (k: string) => Number(form.get(k));
  return createCampaignSchema.parse({
    name: form.get("name"),
    guidelines: form.get("guidelines") ?? "",
    overlap: num("overlap"),
    status: form.get("status"),
    labelerIds: form.getAll("labelerIds").map(String),
    settings: {
      allowTie: form.get("allowTie") === "on",
      allowBothBad: form.get("allowBothBad") === "on",
      askStrength: form.get("askStrength") === "on",
      rationale: form.get("rationale"),
      goldRate: num("goldRate"),
      leaseMinutes: num("leaseMinutes"),
      undoMinutes: num("undoMinutes"),
      ordering: form.get("ordering"),
    },
  });
}

/**
 * Creates a campaign, or updates the one the form's campaignId names. The id is a field of the form rather than an
 * argument bound on the client: a form sent before the page's script has run is posted by the browser to this
 * action, and with a bound argument that post was never answered (the campaign made, the page left loading).
 */
export async function saveCampaignAction(_prev: ActionResult<{ id: string }> | null, form: FormData): Promise<ActionResult<{ id: string }>> {
  const user = await requireRole("researcher", "admin");
  return actionResult(async () => {
    const input = fromForm(form);
    const campaignId = formArg(form).get("campaignId") || null;
    const campaign = campaignId === null ? await createCampaign({ input, actorId: user.id }) : await updateCampaign({ campaignId: idArg(campaignId, "campaign"), input, actorId: user.id });
    revalidatePath("/research");
    revalidatePath(`/research/campaigns/${campaign.id}`);
    return { id: campaign.id };
  });
}
