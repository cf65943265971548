"use client";
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useCallback, useState, useTransition, type ReactNode } from "react";
import { Badge } from "@/app/_components/ui/badge";
import { Button } from "@/app/_components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { fetchJson } from "@/lib/query/fetch-json";
import { runKeys } from "@/lib/query/keys";
import { etaHelp } from "@/lib/runs/eta";
import type { RunDto } from "@/lib/runs/schema";
import { cancelRunAction } from "../actions";
import { isLive, POLL_MS, showsMetricsCard, when } from "../live";
import { RunEta } from "../run-eta";
import { statusVariant } from "../status";
import { LogTail } from "./log-tail";
import { MetricCharts } from "./metric-charts";
import { RunSamples } from "./run-samples";
import { useRefetchWhenDone } from "./use-refetch-when-done";
import { useRunMetrics } from "./use-run-metrics";

/**
 * Polls the run every 2 s while it is live, with its metrics, log tail and ETA; `lineage`, `config` and
 * `next` are rendered on the server and refreshed once when the run ends (its checkpoint appears then).
 */
export function RunDetail({
  initial,
  initialCompareId,
  lineage,
  config,
  next,
  heartbeatTimeoutS,
}: {
  initial: RunDto;
  initialCompareId: string | null;
  lineage: ReactNode;
  /** The config card's body, rendered on the server (./run-config.tsx): a run's config does not change while it runs. */
  config: ReactNode;
  /** What usually comes next after this run once it succeeds, or starting it again once it failed or was cancelled (lib/runs/next-steps.ts), rendered on the server; null for none. */
  next: ReactNode;
  /** WORKER_HEARTBEAT_TIMEOUT_S: how long a worker may be silent before its run is taken back. */
  heartbeatTimeoutS: number;
}) {
  const router = useRouter();
  const run = useQuery({
    queryKey: runKeys.detail(initial.id),
    queryFn: () => fetchJson<{ run: RunDto }>(`/api/v1/runs/${initial.id}`).then((r) => r.run),
    initialData: initial,
    refetchInterval: (q) => (q.state.data && isLive(q.state.data.status) ? POLL_MS : false),
  });
  const r = run.data;
  const live = isLive(r.status);
  // The lineage and the next steps, rendered on the server, gain the run's checkpoint.
  useRefetchWhenDone(live, useCallback(() => router.refresh(), [router]));

  const metrics = useRunMetrics(r.id, live);
  const [compareId, setCompareId] = useState(initialCompareId);
  const compare = (id: string | null) => {
    setCompareId(id);
    window.history.replaceState(null, "", id ? `?compare=${id}` : window.location.pathname);
  };
  const { table, ...summary } = (r.result ?? {}) as { table?: unknown } & Record<string, unknown>;
  const healthFlags = r.healthFlags;

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">
          {r.kind} run <span className="font-mono text-base text-slate-500">{r.id.slice(0, 8)}</span>
        </h1>
        <Badge variant={statusVariant[r.status]} data-testid="run-status">
          {r.status}
        </Badge>
        {r.queuePosition !== null ? <span className="text-xs text-slate-500">{r.queuePosition} ahead in the queue</span> : null}
        <RunEta run={r} />
        {live ? <CancelRun runId={r.id} kind={r.kind} cancelRequested={r.cancelRequested} onCancelled={() => void run.refetch()} /> : null}
      </div>
      {live && run.isError ? (
        <p role="alert" className="-mt-4 text-xs text-amber-800">
          This page cannot reach the server ({run.error.message}): what it shows is as of {when(new Date(run.dataUpdatedAt).toISOString())} UTC. It keeps trying every{" "}
          {POLL_MS / 1000} s.
        </p>
      ) : null}
      {r.status === "running" && r.progress ? <p className="-mt-4 text-xs text-slate-500">{etaHelp}</p> : null}
      {r.status === "running" && r.silentSeconds !== null && r.silentSeconds * 2 >= heartbeatTimeoutS ? (
        // Half the timeout: a busy step can go a few seconds without a heartbeat, a dead worker goes on until the run is taken back.
        <p role="status" className="-mt-4 text-xs text-amber-800">
          No word from its worker for {r.silentSeconds} s. A run whose worker stays silent for {heartbeatTimeoutS} s is queued again, or failed once its attempts are
          spent.
        </p>
      ) : null}
      {healthFlags.length ? (
        <div role="alert" aria-label="Health flags" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
          <p className="mb-1 font-medium">Health flags</p>
          <ul className="list-disc pl-5">
            {healthFlags.map((f) => (
              <li key={`${f.flag}-${f.iteration}`}>
                <strong>{f.flag}</strong> ({f.iteration > 0 ? `iteration ${f.iteration}` : "before training"}): {f.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {live ? null : next}
      {r.error ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800">
          {r.error}
        </p>
      ) : null}
      {typeof table === "string" ? (
        <Card>
          <CardHeader>
            <CardTitle>Evaluation</CardTitle>
            <CardDescription>Mean reward-model scores, win rate and KL against the baseline B, with best-of-n from B as reference lines (docs/rlhf.md, eval).</CardDescription>
          </CardHeader>
          <CardContent>
            <pre aria-label="Evaluation table" className="overflow-x-auto rounded bg-slate-50 p-2 text-xs">
              {table}
            </pre>
          </CardContent>
        </Card>
      ) : null}
      {!showsMetricsCard({ kind: r.kind, points: metrics.points, hasTable: typeof table === "string" }) ? null : (
        <Card>
          <CardHeader>
            <CardTitle>
              Metrics <span className="text-sm font-normal text-slate-500" data-testid="metric-points">{metrics.points} points</span>
            </CardTitle>
          </CardHeader>
          <CardContent>
            <MetricCharts run={r} series={metrics.series} compareId={compareId} onCompare={compare} />
          </CardContent>
        </Card>
      )}
      <RunSamples runId={r.id} live={live} sampling={r.kind === "ppo"} />
      <Card>
        <CardHeader>
          <CardTitle>Worker log</CardTitle>
          <CardDescription>The tail of what the worker logged for this run.</CardDescription>
        </CardHeader>
        <CardContent>
          <LogTail runId={r.id} live={live} />
        </CardContent>
      </Card>
      {/* grid-cols-1, not the implicit column, which grows with the config's longest line on a phone. */}
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Config</CardTitle>
          </CardHeader>
          <CardContent>
            {config}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Lineage and result</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-3 text-sm">
            {lineage}
            <p>
              Attempts: {r.attempts} · started {when(r.startedAt) || "—"} · finished {when(r.finishedAt) || "—"}
            </p>
            {r.result ? <pre className="overflow-x-auto rounded bg-slate-50 p-2 text-xs">{JSON.stringify(summary, null, 2)}</pre> : null}
          </CardContent>
        </Card>
      </div>
    </div>
  );
}

/** Cancel asks once more (a cancelled run cannot be resumed from the page), and says when the cancel itself failed. */
function CancelRun({ runId, kind, cancelRequested, onCancelled }: { runId: string; kind: string; cancelRequested: boolean; onCancelled: () => void }) {
  const [confirming, setConfirming] = useState(false);
  // Set once the cancel is accepted, so the button does not offer it again until the next poll shows the run's new state.
  const [requested, setRequested] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  if (cancelRequested || requested) {
    return (
      <Button variant="destructive" size="sm" className="ml-auto" disabled>
        Cancelling…
      </Button>
    );
  }
  if (!confirming) {
    return (
      <Button variant="destructive" size="sm" className="ml-auto" onClick={() => setConfirming(true)}>
        Cancel run
      </Button>
    );
  }
  return (
    <div role="group" aria-label="Confirm cancel" className="ml-auto flex items-center gap-2 text-sm">
      <span>Stop this {kind} run? Its work so far is kept only where it saved a checkpoint.</span>
      <Button
        variant="destructive"
        size="sm"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await cancelRunAction(runId);
            if (result.ok) {
              setRequested(true);
              setConfirming(false);
              onCancelled();
            } else setError(result.error);
          })
        }
      >
        Yes, cancel it
      </Button>
      <Button variant="outline" size="sm" disabled={pending} onClick={() => setConfirming(false)}>
        Keep it running
      </Button>
      {error ? (
        <p role="alert" className="text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
