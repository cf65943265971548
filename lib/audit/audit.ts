import "server-only";
import { db, type Database } from "@/db/client";
import { and, desc, eq, gte, ilike, isNull, lt, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { auditEvents, users } from "@/db/schema";
import type { AuditFilter } from "./schema";

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

/** Newest first, narrowed by the filters of the audit page, with the actor's email and a target user's. */
export async function listAuditEvents({ action, actor, from, to, limit = 200 }: Partial<AuditFilter> & { limit?: number }) {
  const conditions: (SQL | undefined)[] = [action ? eq(auditEvents.action, action) : undefined];
  if (actor === "system") conditions.push(isNull(auditEvents.actorId));
  else if (actor) conditions.push(ilike(users.email, `%${actor.replace(/[\\%_]/g, "\\$&")}%`));
  // Days are UTC; `to` includes its whole day.
  if (from) conditions.push(gte(auditEvents.at, new Date(`${from}T00:00:00Z`)));
  if (to) conditions.push(lt(auditEvents.at, new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000)));
  // A user change's details name no one (user.disabled has none), so the row names its target by email.
  const target = alias(users, "target");
  return db
    .select({
      id: auditEvents.id,
      at: auditEvents.at,
      action: auditEvents.action,
      targetType: auditEvents.targetType,
      targetId: auditEvents.targetId,
      targetEmail: target.email,
      details: auditEvents.details,
      actor: users.email,
    })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .leftJoin(target, and(eq(auditEvents.targetType, "user"), sql`${auditEvents.targetId} = ${target.id}::text`))
    .where(and(...conditions))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(limit);
}

export async function auditActions(): Promise<string[]> {
  const rows = await db.selectDistinct({ action: auditEvents.action }).from(auditEvents).orderBy(auditEvents.action);
  return rows.map((r) => r.action);
}

/** Emails of everyone who has caused an audit event, for the actor filter's suggestions. */
export async function auditActors(): Promise<string[]> {
  const rows = await db.selectDistinct({ email: users.email }).from(auditEvents).innerJoin(users, eq(users.id, auditEvents.actorId)).orderBy(users.email);
  return rows.map((r) => r.email);
}
