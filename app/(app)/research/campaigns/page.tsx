import { redirect } from "next/navigation";
import { requireRole } from "@/lib/auth/guard";

/** The campaign list lives on the research home; this address (a campaign's URL cut short) leads there. */
export default async function CampaignsIndex() {
  await requireRole("researcher", "admin");
  redirect("/research");
}
