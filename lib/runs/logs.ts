/**
 * The tail of each run's worker log, in Postgres so every web instance can show what any
 * worker logged. Lines are numbered per run from runs.log_seq: appending bumps that counter
 * under the run row's lock, so two writers of one run (a worker that lost the run and the one
 * that took it over) never share a number and lines become visible in number order. Only the
 * last RUN_LOG_KEEP lines of a run are kept.
 */
import "server-only";
import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import { db } from "@/db/client";
import { toStorableText } from "@/lib/api/storable-text";
import { runLogs, runs } from "@/db/schema";
import type { RunLogLevel } from "@/db/values";
import { RUN_LOG_KEEP, RUN_LOG_MAX_CHARS } from "./log-limits";
import type { RunLogDto } from "./schema";

export type RunLogLine = { level: RunLogLevel; message: string; at?: Date };

const clip = (message: string) => toStorableText(message.length > RUN_LOG_MAX_CHARS ? `${message.slice(0, RUN_LOG_MAX_CHARS)} … [${message.length - RUN_LOG_MAX_CHARS} more characters]` : message);

/**
 * Appends lines to a run's log in one transaction and drops what falls out of the last `keep`.
 * Returns the last sequence number, or null when the run does not exist.
 */
export async function appendRunLogs({ runId, lines, keep = RUN_LOG_KEEP }: { runId: string; lines: RunLogLine[]; keep?: number }): Promise<number | null> {
  if (lines.length === 0) return null;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(runs)
      .set({ logSeq: sql`${runs.logSeq} + ${lines.length}` })
      .where(eq(runs.id, runId))
      .returning({ last: runs.logSeq });
    if (!row) return null;
    // A batch longer than `keep` keeps its own tail; the numbers of the lines it dropped stay unused.
    const first = row.last - lines.length + 1;
    const kept = lines.map((l, i) => ({ runId, seq: first + i, level: l.level, message: clip(l.message), at: l.at ?? new Date() })).slice(-keep);
    await tx.insert(runLogs).values(kept);
    await tx.delete(runLogs).where(and(eq(runLogs.runId, runId), lte(runLogs.seq, row.last - keep)));
    return row.last;
  });
}

/** A run's kept lines numbered above `after`, oldest first. */
export async function runLogsAfter({ runId, after = 0, limit = RUN_LOG_KEEP }: { runId: string; after?: number; limit?: number }): Promise<RunLogDto[]> {
  const rows = await db
    .select({ seq: runLogs.seq, level: runLogs.level, message: runLogs.message, at: runLogs.at })
    .from(runLogs)
    .where(and(eq(runLogs.runId, runId), gt(runLogs.seq, after)))
    .orderBy(asc(runLogs.seq))
    .limit(limit);
  return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
}
