import type { Metadata } from "next";
import Link from "next/link";
import { count } from "@/app/_components/count";
import { Button } from "@/app/_components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { requireRole } from "@/lib/auth/guard";
import { listLabelableCampaigns } from "@/lib/campaigns/campaigns";
import { labelerStats } from "@/lib/labeling/quality";

export const metadata: Metadata = { title: "Label" };

const pct = (v: number | null) => (v === null ? "—" : `${Math.round(v * 100)}%`);

export default async function LabelHome() {
  const user = await requireRole("labeler", "researcher", "admin");
  const [campaigns, stats] = await Promise.all([listLabelableCampaigns({ userId: user.id }), labelerStats({ labelerId: user.id })]);
  const withWork = campaigns.filter((c) => c.openForMe > 0);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Campaigns to label</h1>
      {withWork.length === 0 ? (
        <p className="text-slate-600">
          No campaign has work for you right now{campaigns.some((c) => c.completedPairs < c.pairCount) ? ": what is left is waiting on other labelers" : ""}.
        </p>
      ) : (
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          {withWork.map((c) => (
            <Card key={c.id} aria-label={c.name}>
              <CardHeader>
                <CardTitle>{c.name}</CardTitle>
                <CardDescription>
                  {count(c.openForMe, "pair")} left for you · {c.completedPairs} of {c.pairCount} complete · you judged {c.judgedByMe}
                </CardDescription>
              </CardHeader>
              <CardContent>
                <Button asChild>
                  <Link href={`/label/${c.id}`}>Start labeling</Link>
                </Button>
              </CardContent>
            </Card>
          ))}
        </div>
      )}
      <Card>
        <CardHeader>
          <CardTitle>Your work</CardTitle>
        </CardHeader>
        <CardContent>
          <dl className="grid grid-cols-2 gap-4 text-sm sm:grid-cols-5" aria-label="Your statistics">
            <div>
              <dt className="text-slate-500">Judgments</dt>
              <dd data-testid="stat-judgments" className="text-xl font-semibold">{stats.judgments}</dd>
            </div>
            <div>
              <dt className="text-slate-500">Skipped</dt>
              <dd data-testid="stat-skipped" className="text-xl font-semibold">{stats.skipped}</dd>
            </div>
            <div>
              <dt className="text-slate-500">Agreement with majority</dt>
              <dd className="text-xl font-semibold">{pct(stats.agreementWithMajority)}</dd>
            </div>
            <div>
              <dt className="text-slate-500">Gold accuracy</dt>
              {stats.goldAccuracy === null ? (
                <dd className="text-sm text-slate-600">shown after 5 gold pairs ({stats.goldAnswered} so far)</dd>
              ) : (
                <dd className="text-xl font-semibold">{pct(stats.goldAccuracy)}</dd>
              )}
            </div>
            <div>
              <dt className="text-slate-500">Median seconds per pair</dt>
              <dd className="text-xl font-semibold">{stats.medianSeconds === null ? "—" : stats.medianSeconds.toFixed(1)}</dd>
            </div>
          </dl>
        </CardContent>
      </Card>
    </div>
  );
}
