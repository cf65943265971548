"use server";
import { revalidatePath } from "next/cache";
import { formArg, idArg, type ActionResult, type FormResult } from "@/lib/action-result";
import { requireRole } from "@/lib/auth/guard";
import { createCampaign, updateCampaign } from "@/lib/campaigns/campaigns";
import { createCampaignSchema } from "@/lib/campaigns/schema";
import { formAction } from "@/lib/forms/form-action";

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
export async function saveCampaignAction(_prev: ActionResult<{ id: string }> | null, formArgument: FormData): Promise<FormResult<{ id: string }>> {
  const user = await requireRole("researcher", "admin");
  // Posted by the browser itself, a new campaign or a saved one lands on its page, which says it was saved.
  return formAction(formArgument, { answer: ({ id }) => ({ path: `/research/campaigns/${id}`, flash: "campaign" }) }, async (form) => {
    const input = fromForm(form);
    const campaignId = form.get("campaignId") || null;
    const campaign = campaignId === null ? await createCampaign({ input, actorId: user.id }) : await updateCampaign({ campaignId: idArg(campaignId, "campaign"), input, actorId: user.id });
    revalidatePath("/research");
    revalidatePath(`/research/campaigns/${campaign.id}`);
    return { id: campaign.id };
  });
}
