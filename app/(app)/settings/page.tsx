import { redirect } from "next/navigation";
import { requireRole, tokenRoles } from "@/lib/auth/guard";

/** API tokens are the only settings; this address (theirs cut short) leads there. */
export default async function SettingsIndex() {
  await requireRole(...tokenRoles);
  redirect("/settings/tokens");
}
