import "server-only";
import { hostname } from "node:os";
import { eq } from "drizzle-orm";
import { db } from "@/db/client";
import { workers, type Worker } from "@/db/schema";

export async function registerWorker({ backend, kinds }: { backend: string; kinds: string[] }): Promise<Worker> {
  const [worker] = await db.insert(workers).values({ hostname: hostname(), pid: process.pid, backend, kinds }).returning();
  return worker!;
}

export async function heartbeatWorker({ workerId }: { workerId: string }): Promise<void> {
  await db.update(workers).set({ heartbeatAt: new Date() }).where(eq(workers.id, workerId));
}

export async function markWorkerStopped({ workerId }: { workerId: string }): Promise<void> {
  await db.update(workers).set({ stoppedAt: new Date() }).where(eq(workers.id, workerId));
}
