import type { RunDto, RunKind } from "@/lib/runs/schema";

/** How often live views of runs poll. */
export const POLL_MS = 2000;

/** A run that can still change: pages poll it. */
export const isLive = (status: RunDto["status"]) => status === "queued" || status === "running";

/** "2026-11-26 12:31:43" from an ISO time. */
export const when = (iso: string | null) => (iso ? iso.replace("T", " ").slice(0, 19) : "");

/** Kinds whose job writes no per-step metrics: their page has no charts to wait for. */
const kindsWithoutMetrics: ReadonlySet<string> = new Set<RunKind>(["healthcheck", "eval", "score", "playground"]);

/**
 * Whether a run's page shows its metrics card: not while it has no points and either its kind
 * writes none (an eval, score or playground run reports a result; a card "waiting for the first
 * step" would only be noise) or it already holds an eval table.
 */
export const showsMetricsCard = ({ kind, points, hasTable }: { kind: string; points: number; hasTable: boolean }) =>
  points > 0 || !(kindsWithoutMetrics.has(kind) || hasTable);
