import type { Metadata } from "next";
import { Suspense } from "react";
import { count } from "@/app/_components/count";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { Busy, SkeletonCard } from "@/app/_components/ui/skeleton";
import { requireRole } from "@/lib/auth/guard";
import { listCheckpoints } from "@/lib/checkpoints/registry";
import { kindTakesSnapshot, runConfigCatalog } from "@/lib/runs/config-catalog";
import { readRunFormPrefill, type RunFormPrefill } from "@/lib/runs/next-steps";
import { listRecentRuns, runDtos } from "@/lib/runs/queue";
import { runInputs } from "@/lib/runs/inputs";
import { type RunKind, runKinds } from "@/lib/runs/schema";
import { listSnapshots } from "@/lib/snapshots/snapshots";
import { StartRunForm } from "./start-run-form";
import { RunsTable } from "./runs-table";

export const metadata: Metadata = { title: "Runs" };

const LIST_LIMIT = 50;

export default async function RunsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireRole("researcher", "admin");
  // A run page's "next steps" link here with the form filled in (lib/runs/next-steps.ts).
  const prefill = readRunFormPrefill(await searchParams, Object.keys(runKinds));
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Runs</h1>
      {/* After the guard, so a wrong role still gets a 403 status rather than a streamed 200. */}
      <Suspense fallback={<RunsSkeleton />}>
        <RunsView prefill={prefill} />
      </Suspense>
    </div>
  );
}

function RunsSkeleton() {
  return (
    <Busy label="Loading runs">
      <SkeletonCard lines={4} />
      <SkeletonCard lines={8} />
    </Busy>
  );
}

async function RunsView({ prefill }: { prefill: RunFormPrefill | null }) {
  const [runs, snapshots, checkpoints] = await Promise.all([listRecentRuns({ limit: LIST_LIMIT }), listSnapshots(), listCheckpoints()]);
  const dtos = await runDtos(runs);
  return (
    <>
      <Card>
        <CardHeader>
          <CardTitle>Start a run</CardTitle>
        </CardHeader>
        <CardContent>
          <StartRunForm
            key={JSON.stringify(prefill)} // another prefill (a soft navigation) starts the form afresh
            catalog={runConfigCatalog}
            kinds={Object.fromEntries(Object.entries(runKinds).filter(([k]) => !runInputs[k as RunKind].internal))}
            snapshotKinds={Object.keys(runKinds).filter((k) => kindTakesSnapshot(runConfigCatalog, k))}
            snapshots={snapshots.map((s) => ({ id: s.id, label: `${s.name} · ${count(s.counts.rows ?? 0, "row")} · ${s.contentHash.slice(0, 8)}` }))}
            checkpoints={checkpoints.map((c) => ({ id: c.id, kind: c.kind, label: `${c.kind} · ${c.name}` }))}
            prefill={prefill}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Recent runs</CardTitle>
          <CardDescription>
            Updates every 2 s while a run is queued or running. The ETA of a running run is its steps left times the time per step measured so far in this attempt
            (after at least 3 steps and 5 s); a reward run with early stopping may end sooner.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <RunsTable runs={dtos} limit={LIST_LIMIT} />
        </CardContent>
      </Card>
    </>
  );
}
