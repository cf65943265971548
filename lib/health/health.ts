import "server-only";
import { sql } from "drizzle-orm";
import { db } from "@/db/client";
import { shippedMigrationCount } from "@/db/migrate";

export type Health = {
  status: "ok" | "degraded" | "down";
  db: "ok" | "down";
  migrations: { applied: number; shipped: number; pending: number } | null;
  worker: { lastHeartbeatSeconds: number | null; backend: string | null; live: number };
  failing?: string[];
};

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)),
  ]);
}

/** A worker counts as live when it heartbeated within this many seconds. */
const LIVE_WORKER_SECONDS = 30;

export async function checkHealth(): Promise<Health> {
  const shipped = shippedMigrationCount();
  try {
    const [migrations, workers] = await withTimeout(
      Promise.all([
        db.execute<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
        db.execute<{ seconds: number | null; backend: string | null; live: number }>(sql`
          select extract(epoch from now() - max(heartbeat_at))::float8 as seconds,
                 (array_agg(backend order by heartbeat_at desc))[1] as backend,
                 count(*) filter (where heartbeat_at > now() - make_interval(secs => ${LIVE_WORKER_SECONDS}))::int as live
          from workers where stopped_at is null`),
      ]),
      3000,
    );
    const applied = migrations[0]?.n ?? 0;
    const w = workers[0];
    const worker = {
      lastHeartbeatSeconds: w?.seconds == null ? null : Math.round(w.seconds * 10) / 10,
      backend: w?.backend ?? null,
      live: w?.live ?? 0,
    };
    const failing: string[] = [];
    if (applied < shipped) failing.push("migrations");
    if (worker.live === 0) failing.push("worker");
    return {
      status: failing.length ? "degraded" : "ok",
      db: "ok",
      migrations: { applied, shipped, pending: Math.max(0, shipped - applied) },
      worker,
      ...(failing.length ? { failing } : {}),
    };
  } catch {
    return {
      status: "down",
      db: "down",
      migrations: null,
      worker: { lastHeartbeatSeconds: null, backend: null, live: 0 },
      failing: ["db"],
    };
  }
}
