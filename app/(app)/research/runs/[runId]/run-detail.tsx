"use client";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useRef, useTransition } from "react";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Badge } from "@/app/_components/ui/badge";
import { Button } from "@/app/_components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { fetchJson } from "@/lib/query/fetch-json";
import { runKeys } from "@/lib/query/keys";
import type { MetricDto, RunDto } from "@/lib/runs/schema";
import { cancelRunAction } from "../actions";
import { statusVariant } from "../status";

const POLL_MS = 2000;

type HealthFlag = { flag: string; iteration: number; message: string };
type Sample = { iteration: number; prompt: unknown; response: string; score: number };
const live = (status: RunDto["status"]) => status === "queued" || status === "running";

/** Polls the run and its new metrics every 2 s while it is live; merges metrics by (name, step). */
export function RunDetail({ initial }: { initial: RunDto }) {
  const run = useQuery({
    queryKey: runKeys.detail(initial.id),
    queryFn: () => fetchJson<{ run: RunDto }>(`/api/v1/runs/${initial.id}`).then((r) => r.run),
    initialData: initial,
    refetchInterval: (q) => (q.state.data && live(q.state.data.status) ? POLL_MS : false),
  });
  const store = useRef(new Map<string, MetricDto>());
  const since = useRef<string | undefined>(undefined);
  const metrics = useQuery({
    queryKey: runKeys.metrics(initial.id),
    queryFn: async () => {
      const url = `/api/v1/runs/${initial.id}/metrics${since.current ? `?since=${encodeURIComponent(since.current)}` : ""}`;
      const { metrics: fresh } = await fetchJson<{ metrics: MetricDto[] }>(url);
      for (const m of fresh) store.current.set(`${m.name}|${m.step}`, m);
      if (fresh.length) since.current = fresh[fresh.length - 1]!.at;
      return [...store.current.values()];
    },
    refetchInterval: () => (run.data && live(run.data.status) ? POLL_MS : false),
  });
  const series = useMemo(() => {
    const byName = new Map<string, { step: number; value: number }[]>();
    for (const m of metrics.data ?? []) {
      const list = byName.get(m.name) ?? [];
      list.push({ step: m.step, value: m.value });
      byName.set(m.name, list);
    }
    for (const list of byName.values()) list.sort((a, b) => a.step - b.step);
    return [...byName].sort(([a], [b]) => a.localeCompare(b));
  }, [metrics.data]);
  const [pending, startTransition] = useTransition();
  const r = run.data;
  const points = metrics.data?.length ?? 0;
  const { healthFlags = [], samples = [], ...summary } = (r.result ?? {}) as { healthFlags?: HealthFlag[]; samples?: Sample[] } & Record<string, unknown>;

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">
          {r.kind} run <span className="font-mono text-base text-slate-500">{r.id.slice(0, 8)}</span>
        </h1>
        <Badge variant={statusVariant[r.status]} data-testid="run-status">
          {r.status}
        </Badge>
        {live(r.status) ? (
          <Button
            variant="destructive"
            size="sm"
            className="ml-auto"
            disabled={pending || r.cancelRequested}
            onClick={() => startTransition(async () => void (await cancelRunAction(r.id)))}
          >
            {r.cancelRequested ? "Cancelling…" : "Cancel run"}
          </Button>
        ) : null}
      </div>
      {healthFlags.length ? (
        <div role="alert" aria-label="Health flags" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
          <p className="mb-1 font-medium">Health flags</p>
          <ul className="list-disc pl-5">
            {healthFlags.map((f) => (
              <li key={`${f.flag}-${f.iteration}`}>
                <strong>{f.flag}</strong> (iteration {f.iteration}): {f.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {r.error ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800">
          {r.error}
        </p>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>
            Metrics <span className="text-sm font-normal text-slate-500" data-testid="metric-points">{points} points</span>
          </CardTitle>
        </CardHeader>
        <CardContent>
          {series.length === 0 ? (
            <p className="text-sm text-slate-600">{live(r.status) ? "Waiting for the first step…" : "This run wrote no metrics."}</p>
          ) : (
            <div className="grid gap-4 md:grid-cols-2">
              {series.map(([name, data]) => (
                <figure key={name} aria-label={`Chart of ${name}`} className="rounded-md border border-slate-100 p-2">
                  <figcaption className="mb-1 text-xs font-medium text-slate-600">
                    {name} <span className="text-slate-400">last {data[data.length - 1]!.value.toPrecision(4)}</span>
                  </figcaption>
                  <ResponsiveContainer width="100%" height={160}>
                    <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
                      <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
                      <XAxis dataKey="step" type="number" domain={["dataMin", "dataMax"]} tick={{ fontSize: 10 }} />
                      <YAxis tick={{ fontSize: 10 }} width={48} domain={["auto", "auto"]} />
                      <Tooltip />
                      <Line type="monotone" dataKey="value" stroke="#0f172a" dot={false} isAnimationActive={false} />
                    </LineChart>
                  </ResponsiveContainer>
                </figure>
              ))}
            </div>
          )}
        </CardContent>
      </Card>
      {samples.length ? (
        <Card>
          <CardHeader>
            <CardTitle>Sample generations</CardTitle>
          </CardHeader>
          <CardContent>
            <ul className="flex flex-col gap-2 text-sm">
              {samples.slice(-12).map((s, i) => (
                <li key={i} className="rounded border border-slate-100 p-2">
                  <span className="text-xs text-slate-500">iteration {s.iteration} · score {Number(s.score).toFixed(3)}</span>
                  <div className="font-mono text-xs">{typeof s.prompt === "string" ? s.prompt : JSON.stringify(s.prompt)}</div>
                  <div>{s.response}</div>
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
      ) : null}
      <div className="grid gap-4 md:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Config</CardTitle>
          </CardHeader>
          <CardContent>
            <pre className="overflow-x-auto rounded bg-slate-50 p-2 text-xs">{JSON.stringify(r.config, null, 2)}</pre>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Lineage and result</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-2 text-sm">
            <p>Snapshot: {r.snapshotId ?? "—"}</p>
            <p>Parent checkpoint: {r.parentCheckpointId ?? "—"}</p>
            <p>Produced checkpoint: {r.outputCheckpointId ?? "—"}</p>
            <p>
              Attempts: {r.attempts} · started {r.startedAt?.replace("T", " ").slice(0, 19) ?? "—"} · finished {r.finishedAt?.replace("T", " ").slice(0, 19) ?? "—"}
            </p>
            {r.result ? <pre className="overflow-x-auto rounded bg-slate-50 p-2 text-xs">{JSON.stringify(summary, null, 2)}</pre> : null}
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
