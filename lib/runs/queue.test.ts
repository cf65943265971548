import { eq, sql } from "drizzle-orm";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { runMetrics, runs } from "@/db/schema";
import { registerWorker } from "@/lib/workers/workers";
import { healthcheck } from "@/trainer/jobs/healthcheck";
import { startWorker } from "@/trainer/worker-loop";
import { makeUser } from "@/lib/testing/fixtures";
import { startTestWorker } from "@/lib/testing/worker";
import { claimRun, enqueueRun, finishRun, getRun, heartbeatRun, recordMetrics, recoverStaleRuns, requestCancel, runDto, runMetricsSince, startRun } from "./queue";

const kind = () => `test-${Math.random().toString(36).slice(2)}`;

describe("run queue", () => {
  it("gives one run to exactly one of many concurrent claimers", async () => {
    const k = kind();
    const run = await enqueueRun({ kind: k });
    const claimers = await Promise.all(Array.from({ length: 8 }, () => registerWorker({ backend: "cpu", kinds: [k] })));
    const claims = await Promise.all(claimers.map((w) => claimRun({ workerId: w.id, kinds: [k] })));
    const winners = claims.filter((c) => c !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.id).toBe(run.id);
    expect(winners[0]!.status).toBe("running");
    expect(winners[0]!.attempts).toBe(1);
  });

  it("hands out runs oldest first and only of the worker's kinds", async () => {
    const [k1, k2] = [kind(), kind()];
    const first = await enqueueRun({ kind: k1 });
    await enqueueRun({ kind: k2 });
    const second = await enqueueRun({ kind: k1 });
    const w = await registerWorker({ backend: "cpu", kinds: [k1] });
    expect((await claimRun({ workerId: w.id, kinds: [k1] }))?.id).toBe(first.id);
    expect((await claimRun({ workerId: w.id, kinds: [k1] }))?.id).toBe(second.id);
    expect(await claimRun({ workerId: w.id, kinds: [k1] })).toBeNull();
  });

  it("requeues a run whose worker stopped heartbeating, then fails it with a reason", async () => {
    const k = kind();
    const run = await enqueueRun({ kind: k, maxAttempts: 2 });
    const dead = await registerWorker({ backend: "cpu", kinds: [k] });
    await claimRun({ workerId: dead.id, kinds: [k] });
    await db.update(runs).set({ heartbeatAt: sql`now() - interval '1 hour'` }).where(eq(runs.id, run.id));
    expect(await recoverStaleRuns({ timeoutSeconds: 30 })).toMatchObject({ requeued: 1 });
    expect((await getRun({ runId: run.id }))?.status).toBe("queued");

    // The dead worker comes back: it no longer owns the run and cannot finish it.
    expect(await heartbeatRun({ runId: run.id, workerId: dead.id })).toEqual({ owned: false, cancelRequested: false });
    const second = await registerWorker({ backend: "cpu", kinds: [k] });
    await claimRun({ workerId: second.id, kinds: [k] });
    expect(await finishRun({ runId: run.id, workerId: dead.id, status: "succeeded" })).toBe(false);

    await db.update(runs).set({ heartbeatAt: sql`now() - interval '1 hour'` }).where(eq(runs.id, run.id));
    await recoverStaleRuns({ timeoutSeconds: 30 });
    const failed = await getRun({ runId: run.id });
    expect(failed?.status).toBe("failed");
    expect(failed?.error).toMatch(/stopped heartbeating.*after 2 attempts/);
  });

  it("cancels a queued run at once and flags a running one", async () => {
    const k = kind();
    const queued = await enqueueRun({ kind: k });
    expect((await requestCancel({ runId: queued.id }))?.status).toBe("cancelled");
    const running = await enqueueRun({ kind: k });
    const w = await registerWorker({ backend: "cpu", kinds: [k] });
    await claimRun({ workerId: w.id, kinds: [k] });
    expect((await requestCancel({ runId: running.id }))?.status).toBe("running");
    expect(await heartbeatRun({ runId: running.id, workerId: w.id })).toEqual({ owned: true, cancelRequested: true });
  });

  it("stores metrics per step and overwrites a rewritten step", async () => {
    const run = await enqueueRun({ kind: kind() });
    await recordMetrics({ runId: run.id, step: 1, values: { "loss/train": 2.5, "reward/accuracy": 0.5, bad: Number.NaN } });
    await recordMetrics({ runId: run.id, step: 1, values: { "loss/train": 2.25 } });
    const rows = await db.select().from(runMetrics).where(eq(runMetrics.runId, run.id));
    expect(rows.map((r) => [r.name, r.value]).sort()).toEqual([
      ["loss/train", 2.25],
      ["reward/accuracy", 0.5],
    ]);
  });
});

describe("worker loop", () => {
  const logger = pino({ level: "silent" });

  it("round-trips a healthcheck through the queue and records the backend", async () => {
    const worker = await startTestWorker({ healthcheck });
    const run = await enqueueRun({ kind: "healthcheck" });
    let done = await getRun({ runId: run.id });
    for (let i = 0; i < 100 && done?.status !== "succeeded"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      done = await getRun({ runId: run.id });
    }
    await worker.stop();
    expect(done?.status).toBe("succeeded");
    expect(done?.workerId).toBe(worker.id);
    expect(done?.result).toMatchObject({ backend: "cpu" });
  });

  it("stops a running job within one step when the run is cancelled", async () => {
    const k = kind();
    let steps = 0;
    const worker = await startWorker({
      backend: "cpu",
      kinds: [],
      heartbeatTimeoutSeconds: 30,
      pollMs: 50,
      logger,
      handlers: {
        [k]: async (ctx) => {
          for (;;) {
            steps++;
            await ctx.reportMetrics(steps, { "loss/train": 1 / steps });
            await new Promise((r) => setTimeout(r, 1100));
            await ctx.checkpointStep();
          }
        },
      },
    });
    const run = await enqueueRun({ kind: k });
    while ((await getRun({ runId: run.id }))?.status !== "running") await new Promise((r) => setTimeout(r, 50));
    await requestCancel({ runId: run.id });
    const stepsAtCancel = steps;
    await worker.idle();
    let final = await getRun({ runId: run.id });
    for (let i = 0; i < 60 && final?.status === "running"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      final = await getRun({ runId: run.id });
    }
    await worker.stop();
    expect(final?.status).toBe("cancelled");
    expect(steps - stepsAtCancel).toBeLessThanOrEqual(1);
  });
});

describe("researcher runs", () => {
  it("starts a run with its snapshot in the config, reports its queue position, and reads metrics since a time", async () => {
    const researcher = await makeUser("researcher");
    // Queued runs of other tests may be ahead: count them first.
    const before = await startRun({ input: { kind: "healthcheck" }, actorId: researcher.id });
    const ahead = (await runDto(before)).queuePosition!;
    const run = await startRun({ input: { kind: "reward", config: { epochs: 1 } }, actorId: researcher.id });
    const dto = await runDto(run);
    expect(dto).toMatchObject({ kind: "reward", status: "queued", config: { epochs: 1 }, queuePosition: ahead + 1 });
    await expect(startRun({ input: { kind: "not-a-kind" as "reward" }, actorId: researcher.id })).rejects.toThrow();

    await recordMetrics({ runId: run.id, step: 1, values: { "loss/train": 1 } });
    const [first] = await runMetricsSince({ runId: run.id });
    await new Promise((r) => setTimeout(r, 20));
    await recordMetrics({ runId: run.id, step: 2, values: { "loss/train": 0.5 } });
    const fresh = await runMetricsSince({ runId: run.id, since: first!.at });
    expect(fresh.map((m) => m.step)).toEqual([1, 2]);
    await db.update(runs).set({ status: "cancelled" }).where(eq(runs.id, before.id));
  });

  it("refuses a dataset snapshot for a kind whose job reads none, before looking it up", async () => {
    const researcher = await makeUser("researcher");
    const snapshotId = "5eed0000-0000-4000-8000-000000000000"; // no such snapshot
    for (const kind of ["eval", "generate-pairs", "sft"] as const) {
      await expect(startRun({ input: { kind, snapshotId }, actorId: researcher.id })).rejects.toMatchObject({ code: "bad_request:snapshot", message: `Runs of kind ${kind} read no dataset snapshot; leave the snapshot empty.` });
    }
    for (const kind of ["reward", "dpo", "ppo"] as const) {
      await expect(startRun({ input: { kind, snapshotId }, actorId: researcher.id })).rejects.toMatchObject({ code: "bad_request:snapshot", message: "No such dataset snapshot." });
    }
  });
});
