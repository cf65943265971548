/**
 * The web app's own time per API request during the load, from the `"request"` lines that
 * lib/api/handler.ts writes to the web log: what the server spent on each route, where the
 * labelers' latency also holds the wait for a free socket and the trip there and back.
 */
import { median } from "@/lib/stats/agreement";

export type RouteTime = { route: string; requests: number; medianMs: number; p99Ms: number };

/** The nearest-rank percentile `p` (0-1) of ascending `sorted`, as the bench reports every latency. */
export function nearestRank(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * Per method and route (ids written as `:id`), the requests logged between `from` and `to`
 * (epoch ms), most requested first. Lines that are not JSON, or not a request's, are skipped.
 */
export function routeTimes({ log, from, to }: { log: string; from: number; to: number }): RouteTime[] {
  const byRoute = new Map<string, number[]>();
  for (const line of log.split("\n")) {
    if (!line.startsWith("{")) continue;
    let entry: { msg?: unknown; time?: unknown; method?: unknown; route?: unknown; ms?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.msg !== "request" || typeof entry.time !== "number" || typeof entry.ms !== "number") continue;
    if (entry.time < from || entry.time > to) continue;
    const route = `${String(entry.method)} ${String(entry.route).replace(UUID, ":id")}`;
    const times = byRoute.get(route) ?? [];
    times.push(entry.ms);
    byRoute.set(route, times);
  }
  return [...byRoute]
    .map(([route, times]) => {
      const sorted = times.sort((a, b) => a - b);
      return { route, requests: sorted.length, medianMs: median(sorted)!, p99Ms: nearestRank(sorted, 0.99) };
    })
    .sort((a, b) => b.requests - a.requests || a.route.localeCompare(b.route));
}
