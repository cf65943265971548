"use client";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo, useRef } from "react";
import { fetchJson } from "@/lib/query/fetch-json";
import { runKeys } from "@/lib/query/keys";
import { downsampleSeries } from "@/lib/runs/downsample";
import type { MetricDto } from "@/lib/runs/schema";
import { POLL_MS } from "../live";
import { useRefetchWhenDone } from "./use-refetch-when-done";

export type Series = Map<string, { step: number; value: number }[]>;

/**
 * Points per series a chart is given: about two per pixel of a chart's width. The server thins
 * each series to this (lib/runs/downsample.ts); a live run's polls add raw points, and a series
 * that has grown to twice this is thinned again here, so a long session stays as light.
 */
const CHART_POINTS = 600;

/** Metric points by name, each list sorted by step. */
function bySeries(points: MetricDto[]): Series {
  const out: Series = new Map();
  for (const m of points) {
    const list = out.get(m.name) ?? [];
    list.push({ step: m.step, value: m.value });
    out.set(m.name, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.step - b.step);
  return out;
}

/** Thins, in place, each series of `points` (keyed "name|step") that polls have grown past twice CHART_POINTS. */
function thinGrownSeries(points: Map<string, MetricDto>): void {
  const byName = new Map<string, MetricDto[]>();
  for (const m of points.values()) {
    const list = byName.get(m.name);
    if (list) list.push(m);
    else byName.set(m.name, [m]);
  }
  for (const [name, list] of byName) {
    if (list.length <= 2 * CHART_POINTS) continue;
    for (const m of list) points.delete(`${name}|${m.step}`);
    for (const m of downsampleSeries(list, CHART_POINTS)) points.set(`${name}|${m.step}`, m);
  }
}

/**
 * A run's metrics, each series thinned to about CHART_POINTS, polled every 2 s while it is live:
 * each poll asks only for points written since the last one and merges them by (name, step). One last poll when the run ends, so the
 * final step's points are not missed. `runId` null: nothing.
 */
export function useRunMetrics(runId: string | null, live: boolean): { series: Series; points: number } {
  const stores = useRef(new Map<string, { points: Map<string, MetricDto>; since?: string }>());
  const query = useQuery({
    queryKey: runKeys.metrics(runId ?? ""),
    enabled: runId !== null,
    queryFn: async () => {
      const id = runId!;
      const store = stores.current.get(id) ?? { points: new Map<string, MetricDto>() };
      stores.current.set(id, store);
      const url = `/api/v1/runs/${id}/metrics?points=${CHART_POINTS}${store.since ? `&since=${encodeURIComponent(store.since)}` : ""}`;
      const { metrics: fresh } = await fetchJson<{ metrics: MetricDto[] }>(url);
      for (const m of fresh) store.points.set(`${m.name}|${m.step}`, m);
      if (fresh.length) store.since = fresh[fresh.length - 1]!.at;
      thinGrownSeries(store.points);
      return [...store.points.values()];
    },
    refetchInterval: live ? POLL_MS : false,
  });
  // (`refetch` runs even a disabled query: only for a run.)
  const { refetch } = query;
  useRefetchWhenDone(live, useCallback(() => runId !== null && refetch(), [runId, refetch]));
  const series = useMemo(() => bySeries(query.data ?? []), [query.data]);
  return { series, points: query.data?.length ?? 0 };
}
