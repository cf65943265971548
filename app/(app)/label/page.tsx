import type { Metadata } from "next";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { requireRole } from "@/lib/auth/guard";
import { listCampaignSummaries } from "@/lib/campaigns/campaigns";

export const metadata: Metadata = { title: "Label" };

export default async function LabelHome() {
  await requireRole("labeler", "researcher", "admin");
  const active = await listCampaignSummaries({ status: "active" });
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Campaigns to label</h1>
      {active.length === 0 ? (
        <p className="text-slate-600">No campaign has work for you right now.</p>
      ) : (
        <div className="grid gap-4 sm:grid-cols-2">
          {active.map((c) => (
            <Card key={c.id}>
              <CardHeader>
                <CardTitle>{c.name}</CardTitle>
                <CardDescription>
                  {c.pairCount} pairs · {c.overlap} judgments wanted per pair
                </CardDescription>
              </CardHeader>
              <CardContent />
            </Card>
          ))}
        </div>
      )}
    </div>
  );
}
