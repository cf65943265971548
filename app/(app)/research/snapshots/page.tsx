import type { Metadata } from "next";
import { z } from "zod";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/ui/table";
import { requireRole } from "@/lib/auth/guard";
import { listCampaignSummaries } from "@/lib/campaigns/campaigns";
import { flashResult } from "@/lib/forms/form-action";
import { defaultSnapshotName } from "@/lib/snapshots/default-name";
import { listSnapshots } from "@/lib/snapshots/snapshots";
import { listUsers } from "@/lib/users/users";
import { SnapshotForm } from "./snapshot-form";

export const metadata: Metadata = { title: "Snapshots" };

/** `?campaign=ID` (a campaign page's link) ticks that campaign in the form. */
export default async function SnapshotsPage({ searchParams }: { searchParams: Promise<{ campaign?: string | string[] }> }) {
  await requireRole("researcher", "admin");
  const [snapshots, campaigns, users, made] = await Promise.all([
    listSnapshots(),
    listCampaignSummaries(),
    listUsers(),
    flashResult("snapshot", z.object({ id: z.string(), hash: z.string(), rows: z.number().int() })),
  ]);
  const emailOf = new Map(users.map((u) => [u.id, u.email]));
  const asked = (await searchParams).campaign;
  // Else the newest campaign with fully judged pairs: a new, unlabeled one would make an empty snapshot.
  const ticked = campaigns.find((c) => c.id === asked) ?? campaigns.find((c) => c.completedPairs > 0) ?? campaigns[0];
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Dataset snapshots</h1>
      <Card>
        <CardHeader>
          <CardTitle>New snapshot</CardTitle>
          <CardDescription>Freezes the matching judgments; the same data always gives the same hash.</CardDescription>
        </CardHeader>
        <CardContent>
          <SnapshotForm
            campaigns={campaigns.map((c) => ({ id: c.id, name: c.name }))}
            ticked={ticked?.id}
            defaultName={defaultSnapshotName({ existingNames: snapshots.map((s) => s.name), today: new Date() })}
            made={made}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>All snapshots</CardTitle>
          <CardDescription>Train a reward or DPO run on one from the Runs page, or export it from Exports.</CardDescription>
        </CardHeader>
        <CardContent>
          {snapshots.length === 0 ? (
            <p className="text-sm text-slate-600">No snapshots yet. Once labelers have judged some pairs, freeze their judgments with the form above.</p>
          ) : (
            <Table>
              <THead>
                <Tr>
                  <Th>Name</Th>
                  <Th>Rows</Th>
                  <Th>Pairs</Th>
                  <Th>Labelers</Th>
                  <Th>Labeler reliability (Dawid-Skene)</Th>
                  <Th>Hash</Th>
                  <Th>Created</Th>
                </Tr>
              </THead>
              <TBody>
                {snapshots.map((s) => (
                  <Tr key={s.id}>
                    <Td>{s.name}</Td>
                    <Td>{s.counts.rows}</Td>
                    <Td>{s.counts.pairs}</Td>
                    <Td>{s.counts.labelers}</Td>
                    <Td className="max-w-xs text-xs">
                      {Object.entries(s.labelerReliability)
                        .sort(([, a], [, b]) => a - b)
                        .map(([id, r]) => `${emailOf.get(id) ?? id.slice(0, 8)} ${r.toFixed(2)}`)
                        .join(" · ")}
                    </Td>
                    <Td className="font-mono text-xs">{s.contentHash.slice(0, 16)}</Td>
                    <Td>{s.createdAt.toISOString().replace("T", " ").slice(0, 19)}</Td>
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
