import type { Metadata } from "next";
import Link from "next/link";
import { Card, CardContent, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/ui/table";
import { auditActions, listAuditEvents } from "@/lib/audit/audit";
import { requireRole } from "@/lib/auth/guard";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ action?: string }> }) {
  await requireRole("admin");
  const { action } = await searchParams;
  const [actions, events] = await Promise.all([auditActions(), listAuditEvents({ action: action || undefined })]);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <nav aria-label="Filter by action" className="flex flex-wrap gap-2 text-sm">
        <Link className={!action ? "font-semibold underline" : "underline"} href="/admin/audit">
          all
        </Link>
        {actions.map((a) => (
          <Link key={a} className={a === action ? "font-semibold underline" : "underline"} href={`/admin/audit?action=${encodeURIComponent(a)}`}>
            {a}
          </Link>
        ))}
      </nav>
      <Card>
        <CardHeader>
          <CardTitle>{action ?? "All actions"} · newest first</CardTitle>
        </CardHeader>
        <CardContent>
          <Table>
            <THead>
              <Tr>
                <Th>When</Th>
                <Th>Who</Th>
                <Th>Action</Th>
                <Th>Target</Th>
                <Th>Details</Th>
              </Tr>
            </THead>
            <TBody>
              {events.map((e) => (
                <Tr key={e.id}>
                  <Td className="whitespace-nowrap">{e.at.toISOString().replace("T", " ").slice(0, 19)}</Td>
                  <Td>{e.actor ?? "system"}</Td>
                  <Td className="font-mono text-xs">{e.action}</Td>
                  <Td className="font-mono text-xs">{e.targetType ? `${e.targetType} ${e.targetId?.slice(0, 8) ?? ""}` : ""}</Td>
                  <Td className="max-w-md truncate font-mono text-xs">{JSON.stringify(e.details)}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </CardContent>
      </Card>
    </div>
  );
}
