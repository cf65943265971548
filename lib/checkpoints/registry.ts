/**
 * Checkpoints live in the checkpoint store (trainer/checkpoint.ts); this registers them in
 * Postgres with their lineage. The store key is unique, so registering twice (a retried
 * job) never makes a second row.
 */
import "server-only";
import { desc, eq } from "drizzle-orm";
import { db } from "@/db/client";
import { checkpoints, type Checkpoint } from "@/db/schema";
import type { CheckpointRecord } from "@/trainer/checkpoint";

export async function registerCheckpoint({
  record,
  runId = null,
  name,
}: {
  record: CheckpointRecord;
  runId?: string | null;
  name?: string;
}): Promise<Checkpoint> {
  const parent = record.parentId ? await findCheckpointByStoreKey({ storeKey: record.parentId }) : null;
  const [inserted] = await db
    .insert(checkpoints)
    .values({
      kind: record.kind,
      name: name ?? record.id,
      parentId: parent?.id ?? null,
      runId,
      backend: record.backend,
      storeKey: record.id,
      sizeBytes: record.sizeBytes,
      paramCount: record.paramCount,
      config: record.config,
      metrics: record.metrics,
    })
    .onConflictDoNothing({ target: checkpoints.storeKey })
    .returning();
  return inserted ?? (await findCheckpointByStoreKey({ storeKey: record.id }))!;
}

export async function findCheckpointByStoreKey({ storeKey }: { storeKey: string }): Promise<Checkpoint | null> {
  return (await db.query.checkpoints.findFirst({ where: eq(checkpoints.storeKey, storeKey) })) ?? null;
}

export async function getCheckpoint({ checkpointId }: { checkpointId: string }): Promise<Checkpoint | null> {
  return (await db.query.checkpoints.findFirst({ where: eq(checkpoints.id, checkpointId) })) ?? null;
}

export async function listCheckpoints({ kind }: { kind?: Checkpoint["kind"] } = {}): Promise<Checkpoint[]> {
  return db.query.checkpoints.findMany({
    where: kind ? eq(checkpoints.kind, kind) : undefined,
    orderBy: [desc(checkpoints.createdAt)],
  });
}
