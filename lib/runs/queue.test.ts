import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { auditEvents, runMetrics, runs } from "@/db/schema";
import { POST as scoreRoute } from "@/app/api/v1/score/route";
import { createApiToken } from "@/lib/auth/tokens";
import { findCheckpointByStoreKey, registerCheckpoint } from "@/lib/checkpoints/registry";
import { registerWorker } from "@/lib/workers/workers";
import { healthcheck } from "@/trainer/jobs/healthcheck";
import { runLogsAfter } from "@/lib/runs/logs";
import { startWorker } from "@/trainer/worker-loop";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { makeUser } from "@/lib/testing/fixtures";
import { startTestWorker } from "@/lib/testing/worker";
import { enqueuePlayground } from "./playground";
import { cancelRun, claimRun, enqueueRun, finishRun, getRun, heartbeatRun, recordMetrics, recoverStaleRuns, requestCancel, runDto, runMetricsSince, startRun } from "./queue";

const kind = () => `test-${Math.random().toString(36).slice(2)}`;

const registerTestCheckpoint = (kind: "base" | "sft" | "reward" | "policy") =>
  registerCheckpoint({ record: { id: `${kind}-${randomUUID().slice(0, 8)}`, kind, parentId: null, backend: "cpu", sizeBytes: 1, paramCount: 1, config: {}, metrics: {}, createdAt: new Date().toISOString(), location: "x" } });

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
    expect((await runDto((await getRun({ runId: run.id }))!)).silentSeconds).toBeLessThan(5);
    await db.update(runs).set({ heartbeatAt: sql`now() - interval '1 hour'` }).where(eq(runs.id, run.id));
    // Its page tells how long the worker has been silent, before the run is taken back.
    const silent = (await runDto((await getRun({ runId: run.id }))!)).silentSeconds!;
    expect(silent).toBeGreaterThanOrEqual(3600);
    expect(silent).toBeLessThan(3610);
    expect(await recoverStaleRuns({ timeoutSeconds: 30 })).toMatchObject({ requeued: 1 });
    expect((await runDto((await getRun({ runId: run.id }))!)).silentSeconds).toBeNull();
    expect((await getRun({ runId: run.id }))?.status).toBe("queued");
    // The run's log says what happened to the attempt, and when, before the next one's "run claimed" line.
    const [requeuedLine] = await runLogsAfter({ runId: run.id });
    expect(requeuedLine).toMatchObject({ level: "warn" });
    expect(requeuedLine!.message).toMatch(
      new RegExp(`^worker ${dead.id.slice(0, 8)} stopped heartbeating \\(last heartbeat \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\); attempt 1 of 2 lost, queued again$`),
    );

    // The dead worker comes back: it no longer owns the run and cannot finish it.
    expect(await heartbeatRun({ runId: run.id, workerId: dead.id })).toEqual({ owned: false, cancelRequested: false });
    const second = await registerWorker({ backend: "cpu", kinds: [k] });
    await claimRun({ workerId: second.id, kinds: [k] });
    expect(await finishRun({ runId: run.id, workerId: dead.id, status: "succeeded" })).toBe(false);

    await db.update(runs).set({ heartbeatAt: sql`now() - interval '1 hour'` }).where(eq(runs.id, run.id));
    await recoverStaleRuns({ timeoutSeconds: 30 });
    const failed = await getRun({ runId: run.id });
    expect(failed?.status).toBe("failed");
    expect(failed?.error).toMatch(/^The worker stopped heartbeating \(last heartbeat \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\); gave up after 2 attempts\.$/);
    const lines = await runLogsAfter({ runId: run.id });
    expect(lines.at(-1)).toMatchObject({ level: "error", message: failed!.error });

    // One attempt is one attempt.
    const once = await enqueueRun({ kind: k, maxAttempts: 1 });
    await claimRun({ workerId: second.id, kinds: [k] });
    await db.update(runs).set({ heartbeatAt: sql`now() - interval '1 hour'` }).where(eq(runs.id, once.id));
    await recoverStaleRuns({ timeoutSeconds: 30 });
    expect((await getRun({ runId: once.id }))?.error).toMatch(/; gave up after 1 attempt\.$/);
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

  it("refuses to cancel a run that succeeded or failed, leaving it and the audit log as they were; a cancelled one is answered as it is", async () => {
    const k = kind();
    const actor = await makeUser("researcher");
    const w = await registerWorker({ backend: "cpu", kinds: [k] });
    const done = await enqueueRun({ kind: k });
    await claimRun({ workerId: w.id, kinds: [k] });
    await finishRun({ runId: done.id, workerId: w.id, status: "succeeded" });
    // It used to answer 200, set cancelRequested on the succeeded run and log run.cancelled.
    await expect(cancelRun({ runId: done.id, actorId: actor.id })).rejects.toMatchObject({ code: "conflict:run_finished", message: "This run already succeeded; there is nothing to cancel." });
    expect((await getRun({ runId: done.id }))?.cancelRequested).toBe(false);
    const queued = await enqueueRun({ kind: k });
    expect((await cancelRun({ runId: queued.id, actorId: actor.id })).status).toBe("cancelled");
    expect((await cancelRun({ runId: queued.id, actorId: actor.id })).status).toBe("cancelled");
    const logged = await db.select({ targetId: auditEvents.targetId }).from(auditEvents).where(and(eq(auditEvents.actorId, actor.id), eq(auditEvents.action, "run.cancelled")));
    expect(logged).toEqual([{ targetId: queued.id }]);
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

describe("a job that outlived its heartbeat", () => {
  it("reports nothing once another worker has taken its run: no result, no 'run succeeded'", async () => {
    const k = kind();
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const worker = await startWorker({
      backend: "cpu",
      kinds: [],
      heartbeatTimeoutSeconds: 30,
      pollMs: 50,
      logger: pino({ level: "silent" }),
      handlers: {
        [k]: async () => {
          await released; // a long step without a heartbeat
          return { result: { late: true } };
        },
      },
    });
    const run = await enqueueRun({ kind: k, maxAttempts: 2 });
    while ((await getRun({ runId: run.id }))?.status !== "running") await new Promise((r) => setTimeout(r, 50));
    // Meanwhile the run was recovered and claimed by another worker, as recoverStaleRuns and claimRun do.
    const other = await registerWorker({ backend: "cpu", kinds: [k] });
    await db.update(runs).set({ workerId: other.id, attempts: sql`attempts + 1` }).where(eq(runs.id, run.id));
    release();
    await worker.idle();
    await worker.stop();
    const after = await getRun({ runId: run.id });
    expect(after).toMatchObject({ status: "running", workerId: other.id, result: null });
    const messages = (await runLogsAfter({ runId: run.id })).map((l) => l.message);
    expect(messages.at(-1)).toBe("run stopped: another worker took it over reason=lost");
    expect(messages).not.toContain("run succeeded");
  });
});

describe("researcher runs", () => {
  it("starts a run with its snapshot in the config, reports its queue position, and reads metrics since a time", async () => {
    const researcher = await makeUser("researcher");
    // Queued runs of other tests may be ahead: count them first.
    const before = await startRun({ input: { kind: "healthcheck" }, actorId: researcher.id });
    const ahead = (await runDto(before)).queuePosition!;
    const sft = await registerTestCheckpoint("sft");
    const run = await startRun({ input: { kind: "reward", parentCheckpointId: sft.id, config: { epochs: 1, data: "judgments.jsonl" } }, actorId: researcher.id });
    const dto = await runDto(run);
    expect(dto).toMatchObject({ kind: "reward", status: "queued", config: { epochs: 1 }, parentCheckpointId: sft.id, queuePosition: ahead + 1 });
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

  it("refuses a misspelt generate-pairs key when the run is started, naming it, before the worker sees it", async () => {
    const researcher = await makeUser("researcher");
    const policy = await registerTestCheckpoint("policy");
    const { campaign } = await makeCampaign({ pairCount: 1 });
    const config = { campaignId: campaign.id, reward: "rm", select: "uncertain", maxPair: 300 };
    await expect(startRun({ input: { kind: "generate-pairs", parentCheckpointId: policy.id, config }, actorId: researcher.id })).rejects.toMatchObject({
      code: "bad_request:config",
      message: expect.stringMatching(/^config: unknown option "maxPair"\. Known: .*maxPairs/),
    });
    expect(await db.select().from(runs).where(eq(runs.createdBy, researcher.id))).toHaveLength(0);
  });

  it("refuses a generate-pairs config whose keys do not go together when the run is started, as the worker would", async () => {
    const researcher = await makeUser("researcher");
    const [policy, rm] = [await registerTestCheckpoint("policy"), await registerTestCheckpoint("reward")];
    const { campaign } = await makeCampaign({ pairCount: 1 });
    const { campaign: empty } = await makeCampaign({ pairCount: 0 });
    const start = (config: Record<string, unknown>) => startRun({ input: { kind: "generate-pairs", parentCheckpointId: policy.id, config }, actorId: researcher.id });

    // Active selection without its reward model: the worker used to fail the run seconds after it was queued.
    await expect(start({ campaignId: campaign.id, select: "uncertain", maxPairs: 300 })).rejects.toMatchObject({
      code: "bad_request:config",
      message: 'config.reward: select "uncertain" needs config.reward (a reward checkpoint)',
    });
    await expect(start({ campaignId: campaign.id, reward: rm.storeKey, maxPairs: 300 })).rejects.toMatchObject({ code: "bad_request:config", message: 'config.maxPairs: maxPairs applies to select "uncertain"' });
    // One answer per prompt and no baseline: the run would have succeeded adding no pair.
    await expect(start({ campaignId: campaign.id, k: 1 })).rejects.toMatchObject({
      code: "bad_request:config",
      message: "config.k: k 1 makes no pairs without config.baseline (each pair is two of the checkpoint's answers); set k to 2 or more, or give config.baseline",
    });
    // A campaign without prompts: the worker failed it with "the campaign has no prompts to sample for".
    await expect(start({ campaignId: empty.id, prompts: 10 })).rejects.toMatchObject({ code: "bad_request:config", message: `config.campaignId: campaign "${empty.name}" has no prompts yet; import pairs into it first.` });
    await expect(startRun({ input: { kind: "ppo", parentCheckpointId: policy.id, config: { reward: rm.storeKey, campaignId: empty.id } }, actorId: researcher.id })).rejects.toMatchObject({
      message: `config.campaignId: campaign "${empty.name}" has no prompts yet; import pairs into it first.`,
    });
    expect(await db.select().from(runs).where(eq(runs.createdBy, researcher.id))).toHaveLength(0);

    const queued = await start({ campaignId: campaign.id, reward: rm.storeKey, select: "uncertain", maxPairs: 300, k: 1, baseline: policy.storeKey });
    // PPO reads a prompts file before its campaign, so there the empty campaign is no matter.
    const fromFile = await startRun({ input: { kind: "ppo", parentCheckpointId: policy.id, config: { reward: rm.storeKey, campaignId: empty.id, prompts: "p.txt" } }, actorId: researcher.id });
    expect([queued.status, fromFile.status]).toEqual(["queued", "queued"]);
    await db.update(runs).set({ status: "cancelled" }).where(eq(runs.createdBy, researcher.id));
  });

  it("refuses a ppo or eval config whose keys do not go together when the run is started, in the trainer's words", async () => {
    const researcher = await makeUser("researcher");
    const [sft, rm] = [await registerTestCheckpoint("sft"), await registerTestCheckpoint("reward")];
    const { campaign } = await makeCampaign({ pairCount: 1 });
    const start = (kind: "ppo" | "eval", config: Record<string, unknown>) => startRun({ input: { kind, parentCheckpointId: sft.id, config }, actorId: researcher.id });
    const ppo = (config: Record<string, unknown>) => start("ppo", { reward: rm.storeKey, campaignId: campaign.id, ...config });

    // Each of these passed startRun and failed on the worker once it had loaded the prompts (trainPpo, promptsForRun).
    await expect(ppo({ batchSize: 8, miniBatchSize: 16 })).rejects.toMatchObject({ code: "bad_request:config", message: "miniBatchSize must not exceed batchSize" });
    await expect(ppo({ samplesPerPrompt: 3 })).rejects.toMatchObject({ code: "bad_request:config", message: "samplesPerPrompt (3) must be a whole number that divides batchSize (16)" });
    await expect(ppo({ advantage: "rloo" })).rejects.toMatchObject({
      code: "bad_request:config",
      message: "advantage rloo compares a prompt's responses with each other: set samplesPerPrompt to 2 or more",
    });
    await expect(start("ppo", { reward: rm.storeKey, prompts: "p.txt", promptLimit: 10 })).rejects.toMatchObject({ code: "bad_request:config", message: "config.promptLimit applies to config.campaignId" });
    await expect(ppo({ promptLimit: 0 })).rejects.toMatchObject({ code: "bad_request:config", message: "config.promptLimit: must be a whole number of prompts, at least 1" });
    await expect(start("eval", { baseline: sft.storeKey, reward: rm.storeKey, promptLimit: 10 })).rejects.toMatchObject({ code: "bad_request:config", message: "config.promptLimit applies to config.campaignId" });
    expect(await db.select().from(runs).where(eq(runs.createdBy, researcher.id))).toHaveLength(0);

    const queued = [await ppo({ advantage: "rloo", samplesPerPrompt: 4, promptLimit: 10 }), await start("eval", { baseline: sft.storeKey, reward: rm.storeKey, campaignId: campaign.id, promptLimit: 10 })];
    expect(queued.map((r) => r.status)).toEqual(["queued", "queued"]);
    await db.update(runs).set({ status: "cancelled" }).where(eq(runs.createdBy, researcher.id));
  });

  it("refuses a reward marginMap the trainer cannot read, and a pretrain model whose width does not split over its heads, when the run is started", async () => {
    const researcher = await makeUser("researcher");
    const sft = await registerTestCheckpoint("sft");
    const reward = (config: Record<string, unknown>) => startRun({ input: { kind: "reward", parentCheckpointId: sft.id, config: { data: "prefs.jsonl", ...config } }, actorId: researcher.id });
    const pretrain = (config: Record<string, unknown>) => startRun({ input: { kind: "pretrain", config }, actorId: researcher.id });

    // The worker refused the marginMap only after reading the run's data, and the shape only after training a tokenizer on the corpus.
    await expect(reward({ marginMap: "1:0,2:half" })).rejects.toMatchObject({ code: "bad_request:config", message: 'marginMap entry "2:half" is not strength:margin' });
    await expect(pretrain({ dModel: 100, heads: 8 })).rejects.toMatchObject({ code: "bad_request:config", message: "dModel 100 must be divisible by heads 8" });
    expect(await db.select().from(runs).where(eq(runs.createdBy, researcher.id))).toHaveLength(0);

    const queued = [await reward({ marginMap: "1:0,2:0.5" }), await pretrain({ dModel: 96, heads: 8 })];
    expect(queued.map((r) => r.status)).toEqual(["queued", "queued"]);
    await db.update(runs).set({ status: "cancelled" }).where(eq(runs.createdBy, researcher.id));
  });

  it("refuses an eval bestOfN entry that is not a count of 2 or more when the run is started; the job dropped it without a word", async () => {
    const researcher = await makeUser("researcher");
    const [sft, rm] = [await registerTestCheckpoint("sft"), await registerTestCheckpoint("reward")];
    const start = (bestOfN: unknown) => startRun({ input: { kind: "eval", parentCheckpointId: sft.id, config: { baseline: sft.storeKey, reward: rm.storeKey, bestOfN } }, actorId: researcher.id });

    await expect(start(["4", "1"])).rejects.toMatchObject({
      code: "bad_request:config",
      message: 'bestOfN entry "1" must be a whole number of at least 2 (best of n samples from the baseline); give counts such as 4 and 16, or none for no best-of-n lines',
    });
    await expect(start(["sixteen"])).rejects.toMatchObject({ code: "bad_request:config", message: expect.stringMatching(/^bestOfN entry "sixteen" must be a whole number of at least 2/) });
    expect(await db.select().from(runs).where(eq(runs.createdBy, researcher.id))).toHaveLength(0);

    expect([(await start(["4", "16"])).status, (await start([])).status]).toEqual(["queued", "queued"]);
    await db.update(runs).set({ status: "cancelled" }).where(eq(runs.createdBy, researcher.id));
  });

  it("refuses a pretrain schedule whose learning rate would rise or never reach its peak when the run is started", async () => {
    const researcher = await makeUser("researcher");
    const pretrain = (config: Record<string, unknown>) => startRun({ input: { kind: "pretrain", config }, actorId: researcher.id });

    // Both ran to the end, the researcher finding out, if at all, from the run's lr metric.
    await expect(pretrain({ lr: 1e-3, minLr: 1e-2 })).rejects.toMatchObject({
      code: "bad_request:config",
      message: "minLr 0.01 must not exceed lr 0.001: after warm-up the learning rate would rise from lr to minLr instead of decaying; set minLr below lr (or equal, for a constant rate)",
    });
    // warmupSteps 100 by default.
    await expect(pretrain({ steps: 60 })).rejects.toMatchObject({
      code: "bad_request:config",
      message: "warmupSteps 100 must not exceed steps 60: the run would end still warming up, its learning rate never reaching lr; set warmupSteps to at most steps",
    });
    expect(await db.select().from(runs).where(eq(runs.createdBy, researcher.id))).toHaveLength(0);

    expect((await pretrain({ steps: 60, warmupSteps: 10, lr: 1e-3, minLr: 1e-3 })).status).toBe("queued");
    await db.update(runs).set({ status: "cancelled" }).where(eq(runs.createdBy, researcher.id));
  });

  it("refuses an sft mixCorpus or mixHeldout without mixText, and a warm-up longer than the run, when the run is started", async () => {
    const researcher = await makeUser("researcher");
    const base = await registerTestCheckpoint("base");
    const sft = (config: Record<string, unknown>) => startRun({ input: { kind: "sft", parentCheckpointId: base.id, config }, actorId: researcher.id });

    // mixText is 0 by default: the file was never read, and the run trained on demonstrations alone.
    await expect(sft({ mixCorpus: "wiki.txt.gz" })).rejects.toMatchObject({
      code: "bad_request:config",
      message: "mixCorpus is read only when mixText is above 0 (plain text mixed into each batch); set mixText (such as 0.25) or leave mixCorpus out",
    });
    await expect(sft({ steps: 20, mixHeldout: "held.txt" })).rejects.toMatchObject({
      code: "bad_request:config",
      message:
        "warmupSteps 30 must not exceed steps 20: the run would end still warming up, its learning rate never reaching lr; set warmupSteps to at most steps; " +
        "mixHeldout is read only when mixText is above 0 (plain text mixed into each batch); set mixText (such as 0.25) or leave mixHeldout out",
    });
    expect(await db.select().from(runs).where(eq(runs.createdBy, researcher.id))).toHaveLength(0);

    expect((await sft({ mixText: 0.25, mixCorpus: "wiki.txt.gz", mixHeldout: "held.txt" })).status).toBe("queued");
    await db.update(runs).set({ status: "cancelled" }).where(eq(runs.createdBy, researcher.id));
  });

  it("refuses a score run without rows it can read when the run is started, not when the worker has loaded the reward model", async () => {
    const researcher = await makeUser("researcher");
    const rm = await registerTestCheckpoint("reward");
    const score = (rows: unknown) => startRun({ input: { kind: "score", config: { checkpoint: rm.storeKey, rows } }, actorId: researcher.id });

    await expect(score(undefined)).rejects.toMatchObject({ code: "bad_request:config", message: "a score run needs config.rows" });
    await expect(score([{ prompt: "p", response: "r" }, { prompt: "p", response_b: "b" }])).rejects.toMatchObject({
      code: "bad_request:config",
      message: 'row 2: a row needs "response", or "response_a" and "response_b"',
    });
    expect(await db.select().from(runs).where(eq(runs.createdBy, researcher.id))).toHaveLength(0);

    expect((await score([{ prompt: "p", response_a: "a", response_b: "b" }])).status).toBe("queued");
    await db.update(runs).set({ status: "cancelled" }).where(eq(runs.createdBy, researcher.id));
  });

  it("refuses a playground run whose config the job cannot read when the run is started", async () => {
    const researcher = await makeUser("researcher");
    // The job's config as POST /api/v1/playground resolves it, less the second checkpoint: the worker failed it with a ZodError.
    const config = { prompt: "Define: harbor", checkpoints: [{ id: randomUUID(), name: "a", kind: "sft", storeKey: "a" }], reward: null };
    await expect(startRun({ input: { kind: "playground", config }, actorId: researcher.id })).rejects.toMatchObject({ code: "bad_request:config", message: "config.checkpoints: needs at least 2 items" });
    expect(await db.select().from(runs).where(eq(runs.createdBy, researcher.id))).toHaveLength(0);
  });

  it("names a wrong checkpoint's kind in plain words for the playground and the score API", async () => {
    const researcher = await makeUser("researcher");
    const [sft, rm] = [await registerTestCheckpoint("sft"), await registerTestCheckpoint("reward")];
    await expect(enqueuePlayground({ input: { prompt: "Define: anvil", checkpointIds: [rm.id, sft.id] }, actorId: researcher.id })).rejects.toMatchObject({
      code: "bad_request:checkpoint_kind",
      message: `Checkpoint ${rm.name} is a reward checkpoint; this needs a policy, sft or base checkpoint.`,
    });
    await expect(enqueuePlayground({ input: { prompt: "Define: anvil", checkpointIds: [sft.id, sft.id], rewardCheckpointId: sft.id }, actorId: researcher.id })).rejects.toMatchObject({
      message: `Checkpoint ${sft.name} is an sft checkpoint; this needs a reward checkpoint.`,
    });
    const token = (await createApiToken({ userId: researcher.id, name: "score" }))!.token;
    const scored = await scoreRoute(
      new Request("http://test/api/v1/score", { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ checkpointId: sft.id, rows: [{ prompt: "p", response: "r" }] }) }),
      { params: Promise.resolve({}) },
    );
    expect(scored.status).toBe(400);
    expect(((await scored.json()) as { error: { message: string } }).error.message).toBe(`Checkpoint ${sft.name} is an sft checkpoint, not a reward model.`);
  });

  it("refuses a run whose checkpoints are missing or of a kind its job cannot use, or whose data is missing, saying which", async () => {
    const researcher = await makeUser("researcher");
    const [sft, rm, policy] = [await registerTestCheckpoint("sft"), await registerTestCheckpoint("reward"), await registerTestCheckpoint("policy")];
    const refusal = (input: Parameters<typeof startRun>[0]["input"]) => startRun({ input, actorId: researcher.id }).then(() => "queued", (e: Error) => e.message);

    // The runs form used to preselect the newest checkpoint, whatever its kind.
    expect(await refusal({ kind: "reward", parentCheckpointId: policy.id, config: { data: "x.jsonl" } })).toBe(`${policy.name} is a policy checkpoint; a reward run starts from an sft, base or reward checkpoint (the model the reward model starts from).`);
    expect(await refusal({ kind: "sft", parentCheckpointId: rm.id })).toBe(`${rm.name} is a reward checkpoint; an sft run starts from a base, sft or policy checkpoint (the model to fine-tune).`);
    expect(await refusal({ kind: "healthcheck", parentCheckpointId: sft.id })).toBe('A healthcheck run starts from no checkpoint; leave "Start from checkpoint" empty.');
    expect(await refusal({ kind: "reward", config: { data: "x.jsonl" } })).toBe('A reward run needs the model the reward model starts from: choose an sft, base or reward checkpoint under "Start from checkpoint", or give config.base.');
    expect(await refusal({ kind: "reward", parentCheckpointId: sft.id })).toBe("Choose a dataset snapshot (or give config.data, a preference JSONL file on the worker).");
    // The runs form preselects a snapshot; the job reads it before config.data, so a file named beside it was ignored without a word.
    for (const kind of ["reward", "dpo"] as const) {
      expect(await refusal({ kind, parentCheckpointId: sft.id, config: { snapshotId: randomUUID(), data: "x.jsonl" } })).toBe(
        'config.data names a preference file, and a dataset snapshot is chosen too: the run would read the snapshot alone. Choose "none" under "Dataset snapshot" to train on the file, or leave config.data out.',
      );
    }
    // The refusal names the reward models there are (the newest first), so the researcher need not look them up.
    const listed = /^A ppo run needs config\.reward: the name of the reward model PPO trains against \(a reward checkpoint\)\. Registered: (.+?)( and \d+ more \(the Checkpoints page lists them\))?\.$/.exec(
      await refusal({ kind: "ppo", parentCheckpointId: sft.id, config: { campaignId: randomUUID() } }),
    );
    const names = listed?.[1]?.split(", ") ?? [];
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect((await findCheckpointByStoreKey({ storeKey: name }))?.kind).toBe("reward");
    expect(await refusal({ kind: "ppo", parentCheckpointId: sft.id, config: { reward: sft.storeKey, campaignId: randomUUID() } })).toBe(
      `config.reward names ${sft.storeKey}, an sft checkpoint; it must be a reward checkpoint: the reward model PPO trains against.`,
    );
    expect(await refusal({ kind: "ppo", parentCheckpointId: sft.id, config: { reward: "no-such-model", campaignId: randomUUID() } })).toMatch(/^config\.reward: no checkpoint named no-such-model\. Registered: [\w-]+/);
    // The config is at fault, not the start checkpoint: the code says so, and the runs form marks the config box.
    await expect(startRun({ input: { kind: "ppo", parentCheckpointId: sft.id, config: { reward: sft.storeKey, prompts: "p.txt" } }, actorId: researcher.id })).rejects.toMatchObject({ code: "bad_request:config", message: expect.stringMatching(/^config.reward names/) });
    expect(await refusal({ kind: "eval", parentCheckpointId: policy.id, config: { baseline: sft.storeKey, reward: 7 } })).toBe("config.reward must be a checkpoint's name (its store key), got 7.");

    expect(await refusal({ kind: "ppo", parentCheckpointId: randomUUID(), config: { sft: sft.storeKey, reward: rm.storeKey, prompts: "p.txt" } })).toBe("No such checkpoint.");

    // A campaign that does not exist (the worker used to fail the run: "the campaign has no prompts to sample for").
    const missing = randomUUID();
    expect(await refusal({ kind: "ppo", parentCheckpointId: sft.id, config: { reward: rm.storeKey, campaignId: missing } })).toBe(`config.campaignId: no campaign "${missing}" (give the id in the campaign page's address).`);
    expect(await refusal({ kind: "generate-pairs", parentCheckpointId: policy.id, config: { campaignId: "HC loop" } })).toBe(`config.campaignId: no campaign "HC loop" (give the id in the campaign page's address).`);

    // The same inputs, right: queued.
    const { campaign } = await makeCampaign({ pairCount: 1 });
    expect(await refusal({ kind: "ppo", parentCheckpointId: sft.id, config: { reward: rm.storeKey, campaignId: campaign.id } })).toBe("queued");
    expect(await refusal({ kind: "generate-pairs", parentCheckpointId: policy.id, config: { campaignId: campaign.id } })).toBe("queued");
    expect(await refusal({ kind: "ppo", config: { sft: sft.storeKey, reward: rm.storeKey, prompts: "prompts.txt" } })).toBe("queued");
    expect(await refusal({ kind: "reward", parentCheckpointId: rm.id, config: { data: "x.jsonl" } })).toBe("queued"); // a refit from an earlier reward model
    expect(await refusal({ kind: "eval", parentCheckpointId: policy.id, config: { baseline: sft.storeKey, reward: rm.storeKey } })).toBe("queued");
    await db.update(runs).set({ status: "cancelled" }).where(eq(runs.createdBy, researcher.id));
  });
});
