"use client";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { count } from "@/app/_components/count";
import { NativeSelect } from "@/app/_components/ui/input";
import { Label } from "@/app/_components/ui/label";
import { fetchJson } from "@/lib/query/fetch-json";
import { runKeys } from "@/lib/query/keys";
import type { RunDto } from "@/lib/runs/schema";
import { isLive, when } from "../live";
import { formatMetricValue, isCountMetric, metricAxisDomain } from "./metric-axis";
import { useRunMetrics, type Series } from "./use-run-metrics";

/** Runs offered for comparison: the newest of the list the runs page shows. */
const COMPARE_LIMIT = 50;
const THIS_COLOUR = "#0f172a";
const OTHER_COLOUR = "#ea580c";

const runLabel = (r: Pick<RunDto, "kind" | "id">) => `${r.kind} ${r.id.slice(0, 8)}`;

const noSeries: Series = new Map();

type Row = { step: number; current?: number; other?: number };

/** One row per step that either run has, so both lines share the x axis. */
function mergeByStep(current: { step: number; value: number }[] = [], other: { step: number; value: number }[] = []): Row[] {
  const rows = new Map<number, Row>();
  for (const p of current) rows.set(p.step, { step: p.step, current: p.value });
  for (const p of other) rows.set(p.step, { ...(rows.get(p.step) ?? { step: p.step }), other: p.value });
  return [...rows.values()].sort((a, b) => a.step - b.step);
}

/**
 * One chart per metric of this run; with a run chosen under "Compare with", that run's
 * series of the same names are drawn over these (dashed, orange), with a legend naming both.
 */
export function MetricCharts({
  run,
  series,
  compareId,
  onCompare,
}: {
  run: RunDto;
  series: Series;
  compareId: string | null;
  onCompare: (runId: string | null) => void;
}) {
  const recent = useQuery({
    queryKey: runKeys.list({ limit: COMPARE_LIMIT }),
    queryFn: () => fetchJson<{ runs: RunDto[] }>(`/api/v1/runs?limit=${COMPARE_LIMIT}`).then((r) => r.runs),
  });
  const candidates = (recent.data ?? []).filter((r) => r.id !== run.id);
  const sameKind = candidates.filter((r) => r.kind === run.kind);
  const otherKinds = candidates.filter((r) => r.kind !== run.kind);
  const other = candidates.find((r) => r.id === compareId) ?? null;
  const otherMetrics = useRunMetrics(compareId, other ? isLive(other.status) : false);
  const otherSeries: Series = compareId ? otherMetrics.series : noSeries;

  const names = useMemo(() => [...new Set([...series.keys(), ...otherSeries.keys()])].sort((a, b) => a.localeCompare(b)), [series, otherSeries]);
  const thisName = `this run (${runLabel(run)})`;
  const otherName = other ? runLabel(other) : compareId ? `run ${compareId.slice(0, 8)}` : "";
  const option = (r: RunDto) => (
    <option key={r.id} value={r.id}>
      {`${runLabel(r)} · ${r.status} · ${when(r.createdAt)}`}
    </option>
  );

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <Label htmlFor="compare-run">Compare with</Label>
        <NativeSelect id="compare-run" value={compareId ?? ""} onChange={(e) => onCompare(e.target.value || null)} className="max-w-full sm:max-w-md">
          <option value="">no other run</option>
          {compareId && !other ? <option value={compareId}>{otherName}</option> : null}
          {sameKind.length ? <optgroup label={`${run.kind} runs`}>{sameKind.map(option)}</optgroup> : null}
          {otherKinds.length ? <optgroup label="other kinds">{otherKinds.map(option)}</optgroup> : null}
        </NativeSelect>
        {compareId ? (
          <span className="text-xs text-slate-500">
            {count(otherMetrics.points, "point")} of {otherName}, dashed
          </span>
        ) : null}
      </div>
      {names.length === 0 ? (
        <p className="text-sm text-slate-600">{isLive(run.status) ? "Waiting for the first step…" : "This run wrote no metrics."}</p>
      ) : (
        <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
          {names.map((name) => {
            const mine = series.get(name);
            const theirs = otherSeries.get(name);
            return (
              <figure key={name} aria-label={`Chart of ${name}`} className="rounded-md border border-slate-100 p-2">
                <figcaption className="mb-1 text-xs font-medium text-slate-600">
                  {name} <span className="text-slate-500">last {mine?.length ? formatMetricValue(mine[mine.length - 1]!.value) : "—"}</span>
                  {compareId ? <span className="text-slate-500"> vs {theirs?.length ? formatMetricValue(theirs[theirs.length - 1]!.value) : "—"}</span> : null}
                </figcaption>
                <ResponsiveContainer width="100%" height={compareId ? 190 : 160}>
                  <LineChart data={mergeByStep(mine, theirs)} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
                    <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
                    <XAxis dataKey="step" type="number" domain={["dataMin", "dataMax"]} allowDecimals={false} tick={{ fontSize: 10 }} />
                    <YAxis tick={{ fontSize: 10 }} width={48} allowDecimals={!isCountMetric(name)} domain={metricAxisDomain(name, [...(mine ?? []), ...(theirs ?? [])].map((p) => p.value))} />
                    <Tooltip />
                    <Line name={thisName} type="monotone" dataKey="current" stroke={THIS_COLOUR} dot={false} connectNulls isAnimationActive={false} />
                    {compareId ? (
                      <Line name={otherName} type="monotone" dataKey="other" stroke={OTHER_COLOUR} strokeDasharray="5 3" dot={false} connectNulls isAnimationActive={false} />
                    ) : null}
                    {compareId ? <Legend wrapperStyle={{ fontSize: 11 }} /> : null}
                  </LineChart>
                </ResponsiveContainer>
              </figure>
            );
          })}
        </div>
      )}
    </div>
  );
}
