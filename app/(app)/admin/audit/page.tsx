import type { Metadata } from "next";
import Form from "next/form";
import Link from "next/link";
import { count } from "@/app/_components/count";
import { Button } from "@/app/_components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { Input, NativeSelect } from "@/app/_components/ui/input";
import { Label } from "@/app/_components/ui/label";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/ui/table";
import { tapTarget } from "@/app/_components/ui/tap-target";
import { auditActions, auditActors, listAuditEvents } from "@/lib/audit/audit";
import { auditFilterSchema } from "@/lib/audit/schema";
import { requireRole } from "@/lib/auth/guard";

export const metadata: Metadata = { title: "Audit log" };

const LIMIT = 200;

/** What the log holds for these filters, and when it holds nothing, why and what would add to it. */
function matchLine(events: number, filtered: boolean): string {
  if (events === 0 && filtered) return "No event matches these filters: widen them, or Clear them to see every event.";
  if (events === 0) return "Nothing is logged yet. Each invite, change to a user or campaign, import, snapshot, run, export and API token adds an event here, with who did it and when.";
  if (events === LIMIT) return `The newest ${LIMIT} events that match; narrow the filters to see older ones.`;
  return `${count(events, "event")} ${events === 1 ? "matches" : "match"}.`;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireRole("admin");
  const filter = auditFilterSchema.parse(await searchParams);
  const [actions, actors, events] = await Promise.all([auditActions(), auditActors(), listAuditEvents({ ...filter, limit: LIMIT })]);
  const filtered = Object.values(filter).some(Boolean);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <Form action="/admin/audit" aria-label="Filter the audit log" className="grid grid-cols-1 gap-3 sm:grid-cols-5 sm:items-end">
        <div className="flex flex-col gap-1">
          <Label htmlFor="audit-action">Action</Label>
          <NativeSelect id="audit-action" name="action" defaultValue={filter.action ?? ""}>
            <option value="">all actions</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="audit-actor">Actor</Label>
          <Input id="audit-actor" name="actor" list="audit-actors" placeholder="email, or system" defaultValue={filter.actor ?? ""} />
          <datalist id="audit-actors">
            <option value="system" />
            {actors.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="audit-from">From (UTC)</Label>
          <Input id="audit-from" name="from" type="date" defaultValue={filter.from ?? ""} />
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="audit-to">To (UTC, inclusive)</Label>
          <Input id="audit-to" name="to" type="date" defaultValue={filter.to ?? ""} />
        </div>
        <div className="flex items-center gap-3">
          <Button type="submit">Filter</Button>
          {filtered ? (
            <Link className={`text-sm underline ${tapTarget}`} href="/admin/audit">
              Clear
            </Link>
          ) : null}
        </div>
      </Form>
      <Card>
        <CardHeader>
          <CardTitle>{filter.action ?? "All actions"} · newest first</CardTitle>
          <CardDescription data-testid="audit-count">{matchLine(events.length, filtered)}</CardDescription>
        </CardHeader>
        {events.length > 0 ? (
          <CardContent>
            <Table>
              <THead>
                <Tr>
                  <Th>When (UTC)</Th>
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
                    <Td className="font-mono text-xs">{e.targetType ? `${e.targetType} ${e.targetEmail ?? e.targetId?.slice(0, 8) ?? ""}` : ""}</Td>
                    <Td className="max-w-md font-mono text-xs wrap-anywhere">{JSON.stringify(e.details)}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </CardContent>
        ) : null}
      </Card>
    </div>
  );
}
