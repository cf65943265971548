import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/app/_components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/ui/table";
import { requireRole } from "@/lib/auth/guard";
import { listCheckpoints } from "@/lib/checkpoints/registry";
import { listRecentRuns, runDto } from "@/lib/runs/queue";
import { runKinds } from "@/lib/runs/schema";
import { listSnapshots } from "@/lib/snapshots/snapshots";
import { StartRunForm } from "./start-run-form";
import { statusVariant } from "./status";

export const metadata: Metadata = { title: "Runs" };

export default async function RunsPage() {
  await requireRole("researcher", "admin");
  const [runs, snapshots, checkpoints] = await Promise.all([listRecentRuns({ limit: 50 }), listSnapshots(), listCheckpoints()]);
  const dtos = await Promise.all(runs.map(runDto));
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Runs</h1>
      <Card>
        <CardHeader>
          <CardTitle>Start a run</CardTitle>
        </CardHeader>
        <CardContent>
          <StartRunForm
            kinds={runKinds}
            snapshots={snapshots.map((s) => ({ id: s.id, label: `${s.name} · ${s.counts.rows ?? 0} rows · ${s.contentHash.slice(0, 8)}` }))}
            checkpoints={checkpoints.map((c) => ({ id: c.id, label: `${c.kind} · ${c.name}` }))}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Recent runs</CardTitle>
        </CardHeader>
        <CardContent>
          {dtos.length === 0 ? (
            <p className="text-sm text-slate-600">No runs yet.</p>
          ) : (
            <Table>
              <THead>
                <Tr>
                  <Th>Run</Th>
                  <Th>Kind</Th>
                  <Th>Status</Th>
                  <Th>Created</Th>
                  <Th>Finished</Th>
                </Tr>
              </THead>
              <TBody>
                {dtos.map((r) => (
                  <Tr key={r.id}>
                    <Td>
                      <Link className="font-mono text-xs underline" href={`/research/runs/${r.id}`}>
                        {r.id.slice(0, 8)}
                      </Link>
                    </Td>
                    <Td>{r.kind}</Td>
                    <Td>
                      <Badge variant={statusVariant[r.status]}>{r.status}</Badge>
                      {r.queuePosition !== null ? <span className="ml-2 text-xs text-slate-500">{r.queuePosition} ahead</span> : null}
                    </Td>
                    <Td>{r.createdAt.replace("T", " ").slice(0, 19)}</Td>
                    <Td>{r.finishedAt ? r.finishedAt.replace("T", " ").slice(0, 19) : ""}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
