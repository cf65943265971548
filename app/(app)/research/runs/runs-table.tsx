"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Badge } from "@/app/_components/ui/badge";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/ui/table";
import { tapTarget } from "@/app/_components/ui/tap-target";
import { cn } from "@/app/_components/ui/cn";
import { Explained } from "@/app/_components/ui/explained";
import { fetchJson } from "@/lib/query/fetch-json";
import { runKeys } from "@/lib/query/keys";
import { etaHelp } from "@/lib/runs/eta";
import type { RunDto } from "@/lib/runs/schema";
import { isLive, POLL_MS, when } from "./live";
import { RunEta } from "./run-eta";
import { statusVariant } from "./status";

/** The newest `limit` runs, each linking to its live page; polls while any run is queued or running. */
export function RunsTable({ runs: initial, limit }: { runs: RunDto[]; limit: number }) {
  const { data: runs } = useQuery({
    queryKey: runKeys.list({ limit }),
    queryFn: () => fetchJson<{ runs: RunDto[] }>(`/api/v1/runs?limit=${limit}`).then((r) => r.runs),
    initialData: initial,
    staleTime: 0,
    refetchInterval: (q) => (q.state.data?.some((r) => isLive(r.status)) ? POLL_MS : false),
  });
  if (runs.length === 0) return <p className="text-sm text-slate-600">No runs yet.</p>;
  return (
    <Table>
      <THead>
        <Tr>
          <Th>Run</Th>
          <Th>Kind</Th>
          <Th>Status</Th>
          <Th>
            <Explained label="Progress · ETA">{etaHelp}</Explained>
          </Th>
          <Th>Created</Th>
          <Th>Finished</Th>
        </Tr>
      </THead>
      <TBody>
        {runs.map((r) => (
          <Tr key={r.id}>
            <Td>
              <Link className={cn("font-mono text-xs underline", tapTarget)} href={`/research/runs/${r.id}`}>
                {r.id.slice(0, 8)}
              </Link>
            </Td>
            <Td>{r.kind}</Td>
            <Td>
              <Badge variant={statusVariant[r.status]}>{r.status}</Badge>
              {r.queuePosition !== null ? <span className="ml-2 text-xs text-slate-500">{r.queuePosition} ahead</span> : null}
            </Td>
            <Td>
              <RunEta run={r} />
            </Td>
            <Td>{when(r.createdAt)}</Td>
            <Td>{when(r.finishedAt)}</Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
