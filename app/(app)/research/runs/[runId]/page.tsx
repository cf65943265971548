import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireRole } from "@/lib/auth/guard";
import { getRun, runDto } from "@/lib/runs/queue";
import { z } from "zod";
import { RunDetail } from "./run-detail";

export const metadata: Metadata = { title: "Run" };

export default async function RunPage({ params }: { params: Promise<{ runId: string }> }) {
  await requireRole("researcher", "admin");
  const id = z.uuid().safeParse((await params).runId);
  const run = id.success ? await getRun({ runId: id.data }) : null;
  if (!run) notFound();
  return <RunDetail initial={await runDto(run)} />;
}
