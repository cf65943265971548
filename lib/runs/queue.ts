/**
 * The job queue is the runs table: a queued run is a job. Workers claim with
 * FOR UPDATE SKIP LOCKED (no run is taken twice), heartbeat while they work, and finish
 * only runs they still own (a run recovered from a dead worker cannot be finished by
 * that worker if it comes back).
 */
import "server-only";
import { and, eq, type SQL, sql } from "drizzle-orm";
import { db } from "@/db/client";
import { toStorableJson, toStorableText } from "@/lib/api/storable-text";
import { datasetSnapshots, runMetrics, runs, type Run, type RunHealthFlag, type RunProgress } from "@/db/schema";
import { recordAudit } from "@/lib/audit/audit";
import { AppError } from "@/lib/errors";
import { bucketsFor } from "./downsample";
import { estimateEta } from "./eta";
import { appendRunLogs, type RunLogLine } from "./logs";
import { checkRunInputs } from "./check-inputs";
import { checkRunConfig, kindTakesSnapshot, runConfigCatalog } from "./config-catalog";
import { createRunSchema, type CreateRunInput, type MetricDto, type RunDto } from "./schema";

/** A job's progress as stored: what it reported, stamped by the database's clock. */
const progressWithTime = (progress: Omit<RunProgress, "at">) => sql`${JSON.stringify(progress)}::jsonb || jsonb_build_object('at', now())`;

export async function enqueueRun({
  kind,
  config = {},
  createdBy = null,
  parentCheckpointId = null,
  snapshotId = null,
  maxAttempts = 2,
}: {
  kind: string;
  config?: Record<string, unknown>;
  createdBy?: string | null;
  parentCheckpointId?: string | null;
  snapshotId?: string | null;
  maxAttempts?: number;
}): Promise<Run> {
  const [run] = await db.insert(runs).values({ kind, config, createdBy, parentCheckpointId, snapshotId, maxAttempts }).returning();
  return run!;
}

/** A researcher's run: the snapshot id also goes into the config, where the job reads it. */
export async function startRun({ input, actorId }: { input: CreateRunInput; actorId: string }): Promise<Run> {
  const data = createRunSchema.parse(input);
  checkRunConfig(data.kind, data.config ?? {});
  if (data.snapshotId && !kindTakesSnapshot(runConfigCatalog, data.kind)) {
    throw new AppError("bad_request:snapshot", `Runs of kind ${data.kind} read no dataset snapshot; leave the snapshot empty.`);
  }
  // Checked here rather than left to the foreign keys, so the caller learns which id is wrong (the parent checkpoint in checkRunInputs).
  if (data.snapshotId && !(await db.query.datasetSnapshots.findFirst({ where: eq(datasetSnapshots.id, data.snapshotId), columns: { id: true } }))) {
    throw new AppError("bad_request:snapshot", "No such dataset snapshot.");
  }
  const config = { ...data.config, ...(data.snapshotId ? { snapshotId: data.snapshotId } : {}) };
  await checkRunInputs({ kind: data.kind, config, parentCheckpointId: data.parentCheckpointId ?? null });
  const run = await enqueueRun({ kind: data.kind, config, createdBy: actorId, parentCheckpointId: data.parentCheckpointId ?? null, snapshotId: data.snapshotId ?? null });
  await recordAudit({ actorId, action: "run.started", targetType: "run", targetId: run.id, details: { kind: run.kind } });
  return run;
}

/**
 * Cancels a live run (audited). Asking again for one already cancelled answers it as it is; a run
 * that succeeded or failed is refused, where it used to keep its status, gain cancelRequested and
 * log a run.cancelled event for a run nobody stopped.
 */
export async function cancelRun({ runId, actorId }: { runId: string; actorId: string }): Promise<Run> {
  const run = await requestCancel({ runId });
  if (run) {
    await recordAudit({ actorId, action: "run.cancelled", targetType: "run", targetId: runId });
    return run;
  }
  const finished = await getRun({ runId });
  if (!finished) throw new AppError("not_found:run", "No such run.");
  if (finished.status === "cancelled") return finished;
  throw new AppError("conflict:run_finished", `This run already ${finished.status}; there is nothing to cancel.`);
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Runs ahead of each queued run, in one query. */
async function queuePositions(): Promise<Map<string, number>> {
  const rows = await db.execute<{ id: string; ahead: number }>(sql`
    select id, (row_number() over (order by created_at, id) - 1)::int as ahead from runs where status = 'queued'`);
  return new Map(rows.map((r) => [r.id, r.ahead]));
}

function toRunDto(run: Run, positions: Map<string, number>, now: Date): RunDto {
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    config: run.config,
    snapshotId: run.snapshotId,
    parentCheckpointId: run.parentCheckpointId,
    outputCheckpointId: run.outputCheckpointId,
    workerId: run.workerId,
    attempts: run.attempts,
    cancelRequested: run.cancelRequested,
    result: run.result ?? null,
    healthFlags: run.healthFlags,
    error: run.error,
    createdAt: run.createdAt.toISOString(),
    startedAt: iso(run.startedAt),
    heartbeatAt: iso(run.heartbeatAt),
    silentSeconds: run.status === "running" && run.heartbeatAt ? Math.max(0, Math.floor((now.getTime() - run.heartbeatAt.getTime()) / 1000)) : null,
    finishedAt: iso(run.finishedAt),
    queuePosition: positions.get(run.id) ?? null,
    progress: run.progress ? { done: run.progress.done, total: run.progress.total } : null,
    eta: run.status === "running" ? estimateEta(run.progress, now) : null,
  };
}

export async function runDto(run: Run): Promise<RunDto> {
  return toRunDto(run, run.status === "queued" ? await queuePositions() : new Map(), new Date());
}

export async function runDtos(runs: Run[]): Promise<RunDto[]> {
  const positions = runs.some((r) => r.status === "queued") ? await queuePositions() : new Map<string, number>();
  const now = new Date();
  return runs.map((r) => toRunDto(r, positions, now));
}

/** Raw points one answer carries at most; a poller asks again from the last `at` it got. */
const METRIC_PAGE_LIMIT = 20_000;

/**
 * Metrics written at or after `since` (an ISO time), oldest first; pollers merge by (name, step).
 * With `points`, each series of that window is thinned to about that many points in the database
 * (min and max per bucket of steps, the ends and the newest point kept exact: lib/runs/downsample.ts),
 * so a chart of a 5,000-iteration run gets every stretch of it, not the first 20,000 raw points.
 * A thinned answer is not cut at METRIC_PAGE_LIMIT: it is at most about `points` per series
 * already, and a cut would drop whole series (30 metrics at 600 points is 18,000).
 */
export async function runMetricsSince(window: MetricsWindow): Promise<MetricDto[]> {
  const rows = await db.execute<{ step: number; name: string; value: number; at: Date }>(runMetricsQuery(window));
  return rows.map((r) => ({ step: r.step, name: r.name, value: r.value, at: new Date(r.at).toISOString() }));
}

type MetricsWindow = { runId: string; since?: string; points?: number };

/** runMetricsSince's query, which bench:research-scale also EXPLAINs as the API runs it. */
export function runMetricsQuery({ runId, since, points }: MetricsWindow): SQL {
  const inWindow = sql`m.run_id = ${runId} ${since ? sql`and m.at >= ${since}` : sql``}`;
  return points === undefined
    ? sql`
    select step, name, value, at from run_metrics m
    where ${inWindow}
    order by at, step, name limit ${METRIC_PAGE_LIMIT}`
    : sql`
    with pts as (
      -- One read of the points: each series' ends, newest time and size come from a window over it.
      select name, step, value, at,
             count(*) over s <= ${2 * bucketsFor(points) + 2} or step = min(step) over s or step = max(step) over s or at = max(at) over s as keep,
             ((step - min(step) over s)::bigint * ${bucketsFor(points)}) / (max(step) over s - min(step) over s + 1) as bucket
      from run_metrics m where ${inWindow}
      window s as (partition by name)
    ), picked as (
      -- Arrays compare element by element, so the min of [value, step] is a bucket's lowest point,
      -- ties to the earlier step, and the max of [value, -step] its highest, ties to the earlier
      -- step too (downsampleSeries' rule). A window rather than a grouping keeps every point's
      -- row at hand, so the picks need no second read of run_metrics.
      select step, name, value, at, keep, min(array[value, step]) over b as low, max(array[value, -step]) over b as high
      from pts window b as (partition by name, bucket)
    )
    select step, name, value, at from picked
    where keep or step = low[2] or step = -high[2]
    order by at, step, name`;
}

/** Takes the oldest queued run of one of `kinds`, or null when there is none. */
export async function claimRun({ workerId, kinds }: { workerId: string; kinds: string[] }): Promise<Run | null> {
  const rows = await db.execute<{ id: string }>(sql`
    update runs set status = 'running', worker_id = ${workerId}, attempts = attempts + 1,
                    started_at = coalesce(started_at, now()), heartbeat_at = now(), progress = null
    where id = (
      select id from runs
      where status = 'queued' and kind = any(string_to_array(${kinds.join(",")}, ','))
      order by created_at
      for update skip locked
      limit 1
    )
    returning id`);
  const id = rows[0]?.id;
  if (!id) return null;
  return (await db.query.runs.findFirst({ where: eq(runs.id, id) })) ?? null;
}

/**
 * Returns false when the worker no longer owns the run (it was recovered or cancelled).
 * `progress` (without `at`: the database stamps it) is stored with the heartbeat.
 */
export async function heartbeatRun({
  runId,
  workerId,
  progress,
}: {
  runId: string;
  workerId: string;
  progress?: Omit<RunProgress, "at"> | null;
}): Promise<{ owned: boolean; cancelRequested: boolean }> {
  const [row] = await db
    .update(runs)
    .set({ heartbeatAt: new Date(), ...(progress ? { progress: progressWithTime(progress) } : {}) })
    .where(and(eq(runs.id, runId), eq(runs.workerId, workerId), eq(runs.status, "running")))
    .returning({ cancelRequested: runs.cancelRequested });
  return { owned: Boolean(row), cancelRequested: row?.cancelRequested ?? false };
}

export async function finishRun({
  runId,
  workerId,
  status,
  result,
  error,
  outputCheckpointId,
  progress,
}: {
  runId: string;
  workerId: string;
  status: "succeeded" | "failed" | "cancelled";
  result?: Record<string, unknown>;
  error?: string;
  outputCheckpointId?: string;
  /** The last step the job reported: heartbeats store it at most once a second, so the stored one can lag the end. */
  progress?: Omit<RunProgress, "at"> | null;
}): Promise<boolean> {
  // A result or error can quote sampled text; one unstorable character must not fail the write
  // and leave the run "running" until its heartbeat times out.
  const rows = await db
    .update(runs)
    .set({
      status,
      result: result && toStorableJson(result),
      error: error === undefined ? undefined : toStorableText(error),
      outputCheckpointId,
      finishedAt: new Date(),
      heartbeatAt: new Date(),
      ...(progress ? { progress: progressWithTime(progress) } : {}),
    })
    .where(and(eq(runs.id, runId), eq(runs.workerId, workerId), eq(runs.status, "running")))
    .returning({ id: runs.id });
  return rows.length === 1;
}

/** Asks a run to stop; a queued run is cancelled at once, a running one at its next step. */
/** Cancels a queued run at once and flags a running one; null when no live run has that id. */
export async function requestCancel({ runId }: { runId: string }): Promise<Run | null> {
  const [run] = await db
    .update(runs)
    .set({
      cancelRequested: true,
      status: sql`case when ${runs.status} = 'queued' then 'cancelled'::run_status else ${runs.status} end`,
      finishedAt: sql`case when ${runs.status} = 'queued' then now() else ${runs.finishedAt} end`,
    })
    .where(and(eq(runs.id, runId), sql`${runs.status} in ('queued', 'running')`))
    .returning();
  return run ?? null;
}

/**
 * Runs whose worker stopped heartbeating: queued again while attempts remain (the job
 * resumes from its last checkpoint), failed with the reason otherwise. Each says so in its log,
 * so its page tells what became of the attempt and when, not only that a later one was claimed.
 */
export async function recoverStaleRuns({ timeoutSeconds }: { timeoutSeconds: number }): Promise<{ requeued: number; failed: number }> {
  const rows = await db.execute<{ id: string; status: string; error: string | null; attempts: number; max_attempts: number; worker_id: string | null; last_heartbeat: string }>(sql`
    with stale as (
      select id, worker_id, to_char(heartbeat_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') as last_heartbeat from runs
      where status = 'running' and heartbeat_at < now() - make_interval(secs => ${timeoutSeconds})
      for update skip locked
    )
    update runs set
      status = case when attempts < max_attempts and not cancel_requested then 'queued'::run_status
                    when cancel_requested then 'cancelled'::run_status
                    else 'failed'::run_status end,
      error = case when attempts < max_attempts and not cancel_requested then error
                   when cancel_requested then error
                   else format('The worker stopped heartbeating (last heartbeat %s UTC); gave up after %s %s.',
                               stale.last_heartbeat, attempts,
                               case when attempts = 1 then 'attempt' else 'attempts' end) end,
      finished_at = case when attempts < max_attempts and not cancel_requested then null else now() end,
      worker_id = case when attempts < max_attempts and not cancel_requested then null else runs.worker_id end
    from stale
    where runs.id = stale.id
    returning runs.id, runs.status, runs.error, runs.attempts, runs.max_attempts, stale.worker_id, stale.last_heartbeat`);
  for (const r of rows) {
    const lost = `worker ${r.worker_id?.slice(0, 8) ?? "(none)"} stopped heartbeating (last heartbeat ${r.last_heartbeat} UTC)`;
    const line: RunLogLine =
      r.status === "queued"
        ? { level: "warn", message: `${lost}; attempt ${r.attempts} of ${r.max_attempts} lost, queued again` }
        : r.status === "failed"
          ? { level: "error", message: r.error ?? lost }
          : { level: "info", message: `${lost} after a cancel was asked; run cancelled` };
    await appendRunLogs({ runId: r.id, lines: [line] });
  }
  return {
    requeued: rows.filter((r) => r.status === "queued").length,
    failed: rows.filter((r) => r.status !== "queued").length,
  };
}

/**
 * Adds a health flag to a run, unless the run already has one of that name (a flag is raised
 * once per run; a resumed attempt that raises it again changes nothing). Returns whether it was added.
 */
export async function raiseRunFlag({ runId, flag }: { runId: string; flag: RunHealthFlag }): Promise<boolean> {
  const stored = toStorableJson({ flag: flag.flag, iteration: flag.iteration, message: flag.message });
  const rows = await db.execute<{ id: string }>(sql`
    update runs set health_flags = health_flags || jsonb_build_array(${JSON.stringify(stored)}::jsonb)
    where id = ${runId} and not health_flags @> jsonb_build_array(jsonb_build_object('flag', ${stored.flag}::text))
    returning id`);
  return rows.length > 0;
}

export async function recordMetrics({ runId, step, values }: { runId: string; step: number; values: Record<string, number> }): Promise<void> {
  const rows = Object.entries(values)
    .filter(([, v]) => Number.isFinite(v))
    .map(([name, value]) => ({ runId, step, name, value }));
  if (rows.length === 0) return;
  await db
    .insert(runMetrics)
    .values(rows)
    .onConflictDoUpdate({ target: [runMetrics.runId, runMetrics.name, runMetrics.step], set: { value: sql`excluded.value`, at: sql`now()` } });
}

export async function getRun({ runId }: { runId: string }): Promise<Run | null> {
  return (await db.query.runs.findFirst({ where: eq(runs.id, runId) })) ?? null;
}

export async function listRecentRuns({ limit = 20 }: { limit?: number } = {}): Promise<Run[]> {
  return db.query.runs.findMany({ orderBy: (r, { desc }) => [desc(r.createdAt)], limit });
}

/** Waits for a run to finish, polling; returns the run as last seen (still live on timeout). */
export async function waitForRun({ runId, timeoutMs, pollMs = 200 }: { runId: string; timeoutMs: number; pollMs?: number }): Promise<Run | null> {
  const deadline = Date.now() + timeoutMs;
  let run = await getRun({ runId });
  while (run && (run.status === "queued" || run.status === "running") && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, pollMs));
    run = await getRun({ runId });
  }
  return run;
}
