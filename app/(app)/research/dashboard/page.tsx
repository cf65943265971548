import type { Metadata } from "next";
import Form from "next/form";
import { Suspense } from "react";
import { Button } from "@/app/_components/ui/button";
import { NativeSelect } from "@/app/_components/ui/input";
import { Label } from "@/app/_components/ui/label";
import { LabeledSelect } from "@/app/_components/ui/labeled-select";
import { Busy, Skeleton, SkeletonCard } from "@/app/_components/ui/skeleton";
import { requireRole } from "@/lib/auth/guard";
import { researchDashboard } from "@/lib/dashboard/dashboard";
import { dashboardFilterSchema, dashboardRanges } from "@/lib/dashboard/schema";
import { DashboardCharts } from "./dashboard-charts";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireRole("researcher", "admin");
  const filter = dashboardFilterSchema.parse(await searchParams);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Dashboard</h1>
      {/* Keyed by the filter: a new view shows the skeleton again instead of the old figures. The
          guard above runs before it, so a wrong role still gets a 403 status, not a streamed 200. */}
      <Suspense key={`${filter.campaign ?? ""}:${filter.days}`} fallback={<DashboardSkeleton />}>
        <DashboardView days={filter.days} campaignId={filter.campaign} />
      </Suspense>
    </div>
  );
}

function DashboardSkeleton() {
  return (
    <Busy label="Loading the dashboard">
      <div aria-hidden="true" className="flex items-end gap-3">
        <Skeleton className="h-9 w-64" />
        <Skeleton className="h-9 w-36" />
        <Skeleton className="h-9 w-16" />
      </div>
      <div className="grid grid-cols-1 gap-6 md:grid-cols-2">
        <SkeletonCard lines={6} />
        <SkeletonCard lines={6} />
      </div>
    </Busy>
  );
}

async function DashboardView({ days, campaignId: requested }: { days: number; campaignId: string | undefined }) {
  const dashboard = await researchDashboard({ days, campaignId: requested });
  const { campaigns, ...figures } = dashboard;
  const campaignId = dashboard.campaign?.id ?? "";
  return (
    <>
      <div className="flex flex-col gap-2">
        {/* Keyed by the view, so the selects show it again after a navigation (they are uncontrolled). */}
        <Form key={`${campaignId}:${dashboard.days}`} action="/research/dashboard" aria-label="Filter the dashboard" className="flex flex-wrap items-end gap-3">
          <LabeledSelect
            id="dashboard-campaign"
            name="campaign"
            label="Campaign"
            options={campaigns.map((c) => ({ id: c.id, label: c.name }))}
            empty="All campaigns"
            defaultValue={campaignId}
            className="max-w-xs"
          />
          <div className="flex flex-col gap-1">
            <Label htmlFor="dashboard-days">Range</Label>
            <NativeSelect id="dashboard-days" name="days" defaultValue={String(dashboard.days)}>
              {dashboardRanges.map((d) => (
                <option key={d} value={d}>
                  Last {d} days
                </option>
              ))}
            </NativeSelect>
          </div>
          <Button type="submit">Show</Button>
        </Form>
        <p className="text-xs text-slate-500">
          A campaign&apos;s figures: judgments on its pairs; reward runs trained on a snapshot of it; PPO and eval runs on its prompts or judged by a reward model trained on such a
          snapshot.
        </p>
        {dashboard.unknownCampaign ? (
          <p role="status" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
            No such campaign; showing all campaigns.
          </p>
        ) : null}
      </div>
      <DashboardCharts dashboard={figures} />
    </>
  );
}
