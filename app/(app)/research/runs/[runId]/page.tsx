import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache, Suspense } from "react";
import { z } from "zod";
import type { Run } from "@/db/schema";
import { Busy, Skeleton, SkeletonCard } from "@/app/_components/ui/skeleton";
import { requireRole } from "@/lib/auth/guard";
import { env } from "@/lib/env";
import { runLineage } from "@/lib/runs/lineage";
import { againStep, nextSteps } from "@/lib/runs/next-steps";
import { getRun, runDto } from "@/lib/runs/queue";
import { Lineage } from "./lineage";
import { NextSteps } from "./next-steps";
import { RunConfig } from "./run-config";
import { RunDetail } from "./run-detail";

type Params = { params: Promise<{ runId: string }> };

/** The run the URL names, read once per request for the title and the page; a 404 when it names none. */
const runFor = cache(async (runId: string): Promise<Run> => {
  const id = z.uuid().safeParse(runId);
  const run = id.success ? await getRun({ runId: id.data }) : null;
  if (!run) notFound();
  return run;
});

/** The tab says which run, as the heading does: "reward run 1a2b3c4d". */
export async function generateMetadata({ params }: Params): Promise<Metadata> {
  // The title names the record, so it is guarded as the page is: a 403 or 404 must not name it.
  await requireRole("researcher", "admin");
  const run = await runFor((await params).runId);
  return { title: `${run.kind} run ${run.id.slice(0, 8)}` };
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
  const again = againStep(run);
  const steps = again ? [again] : nextSteps(run, lineage);
  return (
    <RunDetail
      initial={dto}
      initialCompareId={compareId}
      lineage={<Lineage lineage={lineage} />}
      config={<RunConfig config={run.config} campaign={lineage.configCampaign} />}
      next={steps.length ? <NextSteps steps={steps} /> : null}
      heartbeatTimeoutS={env.WORKER_HEARTBEAT_TIMEOUT_S}
    />
  );
}
