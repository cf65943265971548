import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/app/_components/ui/badge";
import { Button } from "@/app/_components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { Explained } from "@/app/_components/ui/explained";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/ui/table";
import { inlineTapTarget } from "@/app/_components/ui/tap-target";
import type { SnapshotAggregate } from "@/db/values";
import { requireRole } from "@/lib/auth/guard";
import { exportAccess, exportFormats, formatSpecs } from "@/lib/exports/formats";
import { aggregateLabels } from "@/lib/snapshots/aggregate-labels";
import { listSnapshots } from "@/lib/snapshots/snapshots";

export const metadata: Metadata = { title: "Exports" };

const LABELS: Record<(typeof exportFormats)[number], string> = {
  trl: "TRL",
  hh: "HH",
  "votes-jsonl": "Votes JSONL",
  "votes-csv": "Votes CSV",
  aggregated: "Per pair",
  parquet: "Parquet",
  "hf-dataset": "HF dataset",
};

const formatId = (format: (typeof exportFormats)[number]) => `export-format-${format}`;

/** What each download button's short name stands for, in words a touch screen shows too: no hover tooltips. */
function FormatLegend() {
  return (
    <dl aria-label="Formats" className="mt-4 grid grid-cols-1 gap-x-6 gap-y-1 text-xs text-slate-600 sm:grid-cols-2 lg:grid-cols-3">
      {exportFormats.map((format) => (
        <div key={format} className="flex gap-2">
          <dt className="font-medium text-slate-900">{LABELS[format]}</dt>
          <dd id={formatId(format)}>{formatSpecs[format].title}</dd>
        </div>
      ))}
    </dl>
  );
}

export default async function ExportsPage() {
  const user = await requireRole("researcher", "admin");
  const anonymisedOnly = exportAccess(user.role)?.anonymisedOnly ?? true;
  const snapshots = await listSnapshots();
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Exports</h1>
      <Card>
        <CardHeader>
          <CardTitle>Dataset snapshots</CardTitle>
          <CardDescription>
            Every download is streamed and recorded in the audit log. Labeler ids are pseudonymised with a fresh salt each time (pass{" "}
            <code>salt=…</code> to the API for repeatable files).{" "}
            {anonymisedOnly ? "As a researcher you get the anonymised variant: vote files carry no rationale text." : "As an admin you get every field, rationale included."}{" "}
            Add <code>gzip=1</code> for a compressed file (not Parquet, which is compressed inside). A file&apos;s manifest (snapshot, counts, fields) is at <code>/api/v1/snapshots/ID/export/manifest</code> with
            the file&apos;s query, <code>?format=trl</code> for example.
          </CardDescription>
        </CardHeader>
        <CardContent>
          {snapshots.length === 0 ? (
            <p className="text-sm text-slate-600">
              No snapshots yet.{" "}
              <Link className={`underline ${inlineTapTarget}`} href="/research/snapshots">
                Make one
              </Link>{" "}
              from a campaign, then export it here.
            </p>
          ) : (
            <>
              <Table>
                <THead>
                  <Tr>
                    <Th>Snapshot</Th>
                    <Th>Rows</Th>
                    <Th>Hash</Th>
                    <Th>Download</Th>
                  </Tr>
                </THead>
                <TBody>
                  {snapshots.map((s) => (
                    <Tr key={s.id}>
                      <Td>
                        <div className="font-medium">{s.name}</div>
                        <div className="text-xs text-slate-500">
                          {s.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC{" "}
                          <Badge>{aggregateLabels[(s.filters as { aggregate?: SnapshotAggregate }).aggregate ?? "all"]}</Badge>
                        </div>
                      </Td>
                      <Td className="tabular-nums">{s.counts.rows ?? 0}</Td>
                      <Td>
                        <Explained label={<code className="text-xs">{s.contentHash.slice(0, 12)}</code>}>
                          <code className="break-all">{s.contentHash}</code>
                        </Explained>
                      </Td>
                      <Td>
                        <div className="flex flex-wrap gap-1">
                          {exportFormats.map((format) => (
                            <Button key={format} asChild size="sm" variant="outline">
                              <a href={`/api/v1/snapshots/${s.id}/export?format=${format}`} download aria-describedby={formatId(format)}>
                                {LABELS[format]}
                              </a>
                            </Button>
                          ))}
                        </div>
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
              <FormatLegend />
            </>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
