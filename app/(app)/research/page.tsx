import type { Metadata } from "next";
import Link from "next/link";
import { count } from "@/app/_components/count";
import { Button } from "@/app/_components/ui/button";
import { Badge } from "@/app/_components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/ui/table";
import { tapTarget } from "@/app/_components/ui/tap-target";
import { requireRole } from "@/lib/auth/guard";
import { listCampaignSummaries } from "@/lib/campaigns/campaigns";
import { checkHealth } from "@/lib/health/health";
import { listRecentRuns, runDtos } from "@/lib/runs/queue";
import { RunsTable } from "./runs/runs-table";

export const metadata: Metadata = { title: "Research" };


export default async function ResearchHome() {
  await requireRole("researcher", "admin");
  const [campaignList, runList, health] = await Promise.all([listCampaignSummaries(), listRecentRuns({ limit: 10 }).then(runDtos), checkHealth()]);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Research</h1>
      <Card>
        <CardHeader>
          <CardTitle>Trainer</CardTitle>
        </CardHeader>
        <CardContent className="text-sm text-slate-700">
          {health.worker.live > 0 ? (
            <p>
              {count(health.worker.live, "worker")} live on the <strong>{health.worker.backend}</strong> backend; last heartbeat{" "}
              {health.worker.lastHeartbeatSeconds}s ago.
            </p>
          ) : (
            <p>No trainer worker is running. Start one with <code>npm run worker</code> (<code>npm start</code> runs one for you).</p>
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader className="flex-row items-center">
          <CardTitle>Campaigns</CardTitle>
          <Button asChild size="sm" className="ml-auto">
            <Link href="/research/campaigns/new">New campaign</Link>
          </Button>
        </CardHeader>
        <CardContent>
          <Table>
            <THead>
              <Tr>
                <Th>Name</Th>
                <Th>Status</Th>
                <Th>Pairs</Th>
                <Th>Complete</Th>
                <Th>Overlap</Th>
              </Tr>
            </THead>
            <TBody>
              {campaignList.map((c) => (
                <Tr key={c.id}>
                  <Td>
                    <Link className={`underline ${tapTarget}`} href={`/research/campaigns/${c.id}`}>
                      {c.name}
                    </Link>
                  </Td>
                  <Td>
                    <Badge>{c.status}</Badge>
                  </Td>
                  <Td>{c.pairCount}</Td>
                  <Td>{c.completedPairs}</Td>
                  <Td>{c.overlap}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Recent runs</CardTitle>
        </CardHeader>
        <CardContent>
          <RunsTable runs={runList} limit={10} />
        </CardContent>
      </Card>
    </div>
  );
}
