import "server-only";
import { db, type Database } from "@/db/client";
import { desc, eq } from "drizzle-orm";
import { auditEvents, users } from "@/db/schema";

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** Records a sensitive action; pass `tx` to make it part of the change it describes. */
export async function recordAudit({
  tx,
  actorId,
  action,
  targetType,
  targetId,
  details = {},
}: {
  tx?: Tx;
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}): Promise<void> {
  await (tx ?? db).insert(auditEvents).values({ actorId, action, targetType, targetId, details });
}

/** Newest first, optionally one action, with the actor's email. */
export async function listAuditEvents({ action, limit = 200 }: { action?: string; limit?: number }) {
  return db
    .select({ id: auditEvents.id, at: auditEvents.at, action: auditEvents.action, targetType: auditEvents.targetType, targetId: auditEvents.targetId, details: auditEvents.details, actor: users.email })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(action ? eq(auditEvents.action, action) : undefined)
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(limit);
}

export async function auditActions(): Promise<string[]> {
  const rows = await db.selectDistinct({ action: auditEvents.action }).from(auditEvents).orderBy(auditEvents.action);
  return rows.map((r) => r.action);
}
