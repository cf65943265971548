import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { runLogs, runs } from "@/db/schema";
import { startTestWorker } from "@/lib/testing/worker";
import { registerWorker } from "@/lib/workers/workers";
import type { JobHandler } from "@/trainer/jobs/types";
import { appendRunLogs, runLogsAfter } from "./logs";
import { RUN_LOG_MAX_CHARS } from "./log-limits";
import { claimRun, enqueueRun, getRun, runDto } from "./queue";

const kind = () => `test-${Math.random().toString(36).slice(2)}`;
const info = (...messages: string[]) => messages.map((message) => ({ level: "info" as const, message }));

describe("run log storage (real Postgres)", () => {
  it("numbers lines per run in order, and reads only that run's lines after a number", async () => {
    const [a, b] = [await enqueueRun({ kind: kind() }), await enqueueRun({ kind: kind() })];
    expect(await appendRunLogs({ runId: a.id, lines: info("a1", "a2") })).toBe(2);
    expect(await appendRunLogs({ runId: b.id, lines: info("b1") })).toBe(1);
    expect(await appendRunLogs({ runId: a.id, lines: [{ level: "warn", message: "a3" }, { level: "error", message: "a4" }] })).toBe(4);

    const all = await runLogsAfter({ runId: a.id });
    expect(all.map((l) => [l.seq, l.level, l.message])).toEqual([
      [1, "info", "a1"],
      [2, "info", "a2"],
      [3, "warn", "a3"],
      [4, "error", "a4"],
    ]);
    expect((await runLogsAfter({ runId: a.id, after: 2 })).map((l) => l.message)).toEqual(["a3", "a4"]);
    expect(await runLogsAfter({ runId: a.id, after: 4 })).toEqual([]);
    expect((await runLogsAfter({ runId: b.id })).map((l) => [l.seq, l.message])).toEqual([[1, "b1"]]);
    expect((await getRun({ runId: a.id }))?.logSeq).toBe(4);
  });

  it("keeps only the last `keep` lines of a run, also when one batch is longer than that", async () => {
    const run = await enqueueRun({ kind: kind() });
    for (let i = 0; i < 4; i++) await appendRunLogs({ runId: run.id, lines: info(`${3 * i + 1}`, `${3 * i + 2}`, `${3 * i + 3}`), keep: 5 });
    expect((await runLogsAfter({ runId: run.id })).map((l) => [l.seq, l.message])).toEqual([
      [8, "8"],
      [9, "9"],
      [10, "10"],
      [11, "11"],
      [12, "12"],
    ]);
    await appendRunLogs({ runId: run.id, lines: info(...Array.from({ length: 8 }, (_, i) => `big${i + 1}`)), keep: 5 });
    // the batch's first 3 lines are never stored: their numbers (13-15) stay unused, so a reader sees the gap
    expect((await runLogsAfter({ runId: run.id })).map((l) => [l.seq, l.message])).toEqual([
      [16, "big4"],
      [17, "big5"],
      [18, "big6"],
      [19, "big7"],
      [20, "big8"],
    ]);
    const stored = await db.select().from(runLogs).where(eq(runLogs.runId, run.id));
    expect(stored).toHaveLength(5);
  });

  it("gives concurrent writers of one run distinct, gapless numbers", async () => {
    const run = await enqueueRun({ kind: kind() });
    await Promise.all(Array.from({ length: 10 }, (_, w) => appendRunLogs({ runId: run.id, lines: info(`w${w}-1`, `w${w}-2`) })));
    const lines = await runLogsAfter({ runId: run.id });
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // each writer's two lines stay adjacent and in order
    for (let i = 0; i < 20; i += 2) expect(lines[i + 1]!.message).toBe(lines[i]!.message.replace(/-1$/, "-2"));
  });

  it("cuts an over-long line, ignores a run that does not exist, and goes with its run", async () => {
    const run = await enqueueRun({ kind: kind() });
    await appendRunLogs({ runId: run.id, lines: info("x".repeat(RUN_LOG_MAX_CHARS + 10)) });
    const [line] = await runLogsAfter({ runId: run.id });
    expect(line!.message).toBe(`${"x".repeat(RUN_LOG_MAX_CHARS)} … [10 more characters]`);
    expect(await appendRunLogs({ runId: "00000000-0000-4000-8000-000000000000", lines: info("nobody") })).toBeNull();
    await db.delete(runs).where(eq(runs.id, run.id));
    expect(await db.select().from(runLogs).where(eq(runLogs.runId, run.id))).toEqual([]);
  });
});

describe("worker loop log tail and progress (real Postgres)", () => {
  const waitFor = async (runId: string) => {
    let run = await getRun({ runId });
    for (let i = 0; i < 200 && (run?.status === "queued" || run?.status === "running"); i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = await getRun({ runId });
    }
    return run!;
  };
  const workerFor = (k: string, handler: JobHandler) => startTestWorker({ [k]: handler });

  it("stores what a handler logs, its step lines, and the error of a failed run", async () => {
    const k = kind();
    const worker = await workerFor(k, async (ctx) => {
      ctx.log("loading data", { rows: 12 });
      for (let step = 1; step <= 3; step++) {
        ctx.reportProgress(step, 3);
        await ctx.checkpointStep();
        await ctx.reportMetrics(step, { "loss/train": 1 / step });
      }
      ctx.warn("validation set is empty");
      if (ctx.run.config.fail) throw new Error("out of <b>memory</b>");
      return { result: {} };
    });
    const ok = await enqueueRun({ kind: k });
    const bad = await enqueueRun({ kind: k, config: { fail: true } });
    const [okRun, badRun] = [await waitFor(ok.id), await waitFor(bad.id)];
    await worker.stop();
    expect(okRun.status).toBe("succeeded");
    expect(badRun.status).toBe("failed");

    const okLines = await runLogsAfter({ runId: ok.id });
    expect(okLines.map((l) => l.message)).toEqual([
      `run claimed by worker ${worker.id.slice(0, 8)} (cpu), attempt 1 of 2`,
      "loading data rows=12",
      "step 1/3 loss/train 1.0000",
      "step 2/3 loss/train 0.5000",
      "step 3/3 loss/train 0.3333",
      "validation set is empty",
      "run succeeded",
    ]);
    expect(okLines.map((l) => l.level)).toEqual(["info", "info", "info", "info", "info", "warn", "info"]);
    const badLines = await runLogsAfter({ runId: bad.id });
    expect(badLines.at(-1)).toMatchObject({ level: "error", message: "run failed: out of <b>memory</b>" });
    expect(badLines.some((l) => l.message === "run succeeded")).toBe(false);
    // Heartbeats carry progress at most once a second; the finish stores the last step, so a finished run does not show 1/3.
    expect(okRun.progress).toMatchObject({ done: 3, total: 3, firstDone: 1 });
    expect(badRun.progress).toMatchObject({ done: 3, total: 3 });
    expect((await runDto(okRun)).eta).toBeNull();
  });

  it("ends a run whose log, result or error quote a NUL character, storing U+FFFD in its place", async () => {
    // A model can sample a NUL byte; PostgreSQL refuses it in text and jsonb. Before, the failed
    // write left the run "running" until its heartbeat timed out.
    const k = kind();
    const worker = await workerFor(k, async (ctx) => {
      ctx.log("sampled a\u0000b");
      if (ctx.run.config.fail) throw new Error("could not store x\u0000y");
      return { result: { samples: [{ response: "r\u0000" }] } };
    });
    const ok = await enqueueRun({ kind: k });
    const bad = await enqueueRun({ kind: k, config: { fail: true } });
    const [okRun, badRun] = [await waitFor(ok.id), await waitFor(bad.id)];
    await worker.stop();
    expect(okRun.status).toBe("succeeded");
    expect(okRun.result).toEqual({ samples: [{ response: "r\uFFFD" }] });
    expect((await runLogsAfter({ runId: ok.id })).map((l) => l.message)).toContain("sampled a\uFFFDb");
    expect(badRun.status).toBe("failed");
    expect(badRun.error).toBe("could not store x\uFFFDy");
    expect((await runLogsAfter({ runId: bad.id })).at(-1)?.message).toBe("run failed: could not store x\uFFFDy");
  });

  it("reports progress with the heartbeat and an ETA once enough was timed; a new claim clears it", async () => {
    const run = await enqueueRun({ kind: kind() });
    await db
      .update(runs)
      .set({ status: "running", progress: { done: 20, total: 100, firstDone: 10, elapsedMs: 20_000, at: new Date().toISOString() } })
      .where(eq(runs.id, run.id));
    const dto = await runDto((await getRun({ runId: run.id }))!);
    expect(dto.progress).toEqual({ done: 20, total: 100 });
    expect(dto.eta!.secondsPerStep).toBe(2);
    expect(dto.eta!.seconds).toBeGreaterThan(155);
    expect(dto.eta!.seconds).toBeLessThanOrEqual(160);

    // recovered and claimed again: the old attempt's rate no longer applies
    await db.update(runs).set({ status: "queued" }).where(eq(runs.id, run.id));
    const worker = await registerWorker({ backend: "cpu", kinds: [run.kind] });
    const claimed = await claimRun({ workerId: worker.id, kinds: [run.kind] });
    expect(claimed?.id).toBe(run.id);
    expect(claimed?.progress).toBeNull();
    expect((await runDto(claimed!)).eta).toBeNull();
  });
});
