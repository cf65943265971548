import type { Metadata } from "next";
import { Card, CardContent, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { requireRole } from "@/lib/auth/guard";
import { campaignSettingsSchema } from "@/lib/campaigns/schema";
import { listUsers } from "@/lib/users/users";
import { CampaignForm } from "../campaign-form";

export const metadata: Metadata = { title: "New campaign" };

export default async function NewCampaignPage() {
  await requireRole("researcher", "admin");
  const labelers = (await listUsers()).filter((u) => u.role === "labeler" && !u.disabledAt).map((u) => ({ id: u.id, email: u.email }));
  return (
    <Card>
      <CardHeader>
        <CardTitle>New campaign</CardTitle>
      </CardHeader>
      <CardContent>
        <CampaignForm
          labelers={labelers}
          values={{ id: null, name: "", guidelines: "", overlap: 3, status: "draft", settings: campaignSettingsSchema.parse({}), labelerIds: [] }}
        />
      </CardContent>
    </Card>
  );
}
