import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { z } from "zod";
import type { Run } from "@/db/schema";
import { Busy, Skeleton, SkeletonCard } from "@/app/_components/ui/skeleton";
import { requireRole } from "@/lib/auth/guard";
import { runLineage } from "@/lib/runs/lineage";
import { nextSteps } from "@/lib/runs/next-steps";
import { getRun, runDto } from "@/lib/runs/queue";
import { Lineage } from "./lineage";
import { NextSteps } from "./next-steps";
import { RunDetail } from "./run-detail";

export const metadata: Metadata = { title: "Run" };

type Params = { params: Promise<{ runId: string }> };

/** The run the URL names; a 404 when it names none. */
async function runFor(runId: string): Promise<Run> {
  const id = z.uuid().safeParse(runId);
  const run = id.success ? await getRun({ runId: id.data }) : null;
  if (!run) notFound();
  return run;
}

export default async function RunPage({ params, searchParams }: Params & { searchParams: Promise<{ compare?: string | string[] }> }) {
  await requireRole("researcher", "admin");
  // Before the Suspense below, so an unknown id still gets its 404 status, not a streamed 200.
  const run = await runFor((await params).runId);
  const compare = z.uuid().safeParse((await searchParams).compare);
  return (
    <Suspense fallback={<RunSkeleton />}>
      <RunView run={run} compareId={compare.success && compare.data !== run.id ? compare.data : null} />
    </Suspense>
  );
}

function RunSkeleton() {
  return (
    <Busy label="Loading the run">
      <Skeleton className="h-8 w-72" />
      <SkeletonCard lines={4} />
      <SkeletonCard lines={8} />
    </Busy>
  );
}

async function RunView({ run, compareId }: { run: Run; compareId: string | null }) {
  const [dto, lineage] = await Promise.all([runDto(run), runLineage({ run })]);
  const steps = nextSteps(run, lineage);
  return (
    <RunDetail
      initial={dto}
      initialCompareId={compareId}
      lineage={<Lineage lineage={lineage} />}
      next={steps.length ? <NextSteps steps={steps} /> : null}
    />
  );
}
