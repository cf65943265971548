import "server-only";
import { db, type Database } from "@/db/client";
import { auditEvents } from "@/db/schema";

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
