/**
 * Sample generations a run writes while it trains (PPO's `samplesPerLog` every `sampleEvery`
 * iterations), one insert per iteration, so a reader that sees an iteration sees all of it.
 */
import "server-only";
import { and, asc, eq, gt, inArray, max } from "drizzle-orm";
import { db } from "@/db/client";
import { runSamples } from "@/db/schema";
import { toStorableJson, toStorableText } from "@/lib/api/storable-text";
import type { RunSampleDto } from "./schema";

export type RunSampleInput = { iteration: number; prompt: RunSampleDto["prompt"]; response: string; score: number };

/**
 * Stores samples, numbered within each iteration in the order given. A sample already stored
 * (a resumed attempt writing an iteration again) is kept as it was. Text PostgreSQL cannot store
 * (a NUL the model sampled) is replaced by U+FFFD. A score must be finite: jsonb and the page
 * have no NaN.
 */
export async function recordRunSamples({ runId, samples }: { runId: string; samples: RunSampleInput[] }): Promise<void> {
  if (samples.length === 0) return;
  const next = new Map<number, number>();
  const rows = samples.map((s) => {
    if (!Number.isInteger(s.iteration) || s.iteration < 0) throw new Error(`sample iteration must be a whole number >= 0, got ${s.iteration}`);
    if (!Number.isFinite(s.score)) throw new Error(`sample score must be a finite number, got ${s.score}`);
    const position = next.get(s.iteration) ?? 0;
    next.set(s.iteration, position + 1);
    return { runId, iteration: s.iteration, position, prompt: toStorableJson(s.prompt), response: toStorableText(s.response), score: s.score };
  });
  await db.insert(runSamples).values(rows).onConflictDoNothing();
}

/**
 * A run's samples of the first `iterations` sampled iterations above `after`, by iteration then
 * position. Whole iterations only, so a poller can ask again with `after` = the last iteration it got.
 */
export async function runSamplesAfter({ runId, after = -1, iterations = 100 }: { runId: string; after?: number; iterations?: number }): Promise<RunSampleDto[]> {
  const newer = and(eq(runSamples.runId, runId), gt(runSamples.iteration, after));
  const firstIterations = db.selectDistinct({ iteration: runSamples.iteration }).from(runSamples).where(newer).orderBy(asc(runSamples.iteration)).limit(iterations);
  const rows = await db
    .select({ iteration: runSamples.iteration, position: runSamples.position, prompt: runSamples.prompt, response: runSamples.response, score: runSamples.score, at: runSamples.at })
    .from(runSamples)
    .where(and(newer, inArray(runSamples.iteration, firstIterations)))
    .orderBy(asc(runSamples.iteration), asc(runSamples.position));
  return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
}

/** The newest iteration a run stored samples for, or null when it stored none. */
export async function lastSampledIteration({ runId }: { runId: string }): Promise<number | null> {
  const [row] = await db.select({ last: max(runSamples.iteration) }).from(runSamples).where(eq(runSamples.runId, runId));
  return row?.last ?? null;
}
