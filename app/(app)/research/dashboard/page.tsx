import type { Metadata } from "next";
import { requireRole } from "@/lib/auth/guard";
import { researchDashboard } from "@/lib/dashboard/dashboard";
import { DashboardCharts } from "./dashboard-charts";

export const metadata: Metadata = { title: "Dashboard" };

const DAYS = 30;

export default async function DashboardPage() {
  await requireRole("researcher", "admin");
  const dashboard = await researchDashboard({ days: DAYS });
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Dashboard</h1>
      <DashboardCharts dashboard={dashboard} days={DAYS} />
    </div>
  );
}
