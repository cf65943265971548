import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { z } from "zod";
import { requireRole } from "@/lib/auth/guard";
import { runLineage } from "@/lib/runs/lineage";
import { nextSteps } from "@/lib/runs/next-steps";
import { getRun, runDto } from "@/lib/runs/queue";
import { Lineage } from "./lineage";
import { NextSteps } from "./next-steps";
import { RunDetail } from "./run-detail";

export const metadata: Metadata = { title: "Run" };

export default async function RunPage({ params, searchParams }: { params: Promise<{ runId: string }>; searchParams: Promise<{ compare?: string | string[] }> }) {
  await requireRole("researcher", "admin");
  const id = z.uuid().safeParse((await params).runId);
  const run = id.success ? await getRun({ runId: id.data }) : null;
  if (!run) notFound();
  const compare = z.uuid().safeParse((await searchParams).compare);
  const [dto, lineage] = await Promise.all([runDto(run), runLineage({ run })]);
  const steps = nextSteps(run, lineage);
  return (
    <RunDetail
      initial={dto}
      initialCompareId={compare.success && compare.data !== run.id ? compare.data : null}
      lineage={<Lineage lineage={lineage} />}
      next={steps.length ? <NextSteps steps={steps} /> : null}
    />
  );
}
