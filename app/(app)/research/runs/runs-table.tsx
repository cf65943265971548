import Link from "next/link";
import { Badge } from "@/app/_components/ui/badge";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/ui/table";
import type { RunDto } from "@/lib/runs/schema";
import { statusVariant } from "./status";

const when = (iso: string | null) => (iso ? iso.replace("T", " ").slice(0, 19) : "");

/** Runs, newest first, each linking to its live page. */
export function RunsTable({ runs }: { runs: RunDto[] }) {
  if (runs.length === 0) return <p className="text-sm text-slate-600">No runs yet.</p>;
  return (
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
        {runs.map((r) => (
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
            <Td>{when(r.createdAt)}</Td>
            <Td>{when(r.finishedAt)}</Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
