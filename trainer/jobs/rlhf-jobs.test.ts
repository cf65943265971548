import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Run, RunHealthFlag } from "@/db/schema";
import type { RunSampleInput } from "@/lib/runs/samples";
import { initBackend } from "../backend";
import type { CheckpointRecord, FolderCheckpointStore } from "../checkpoint";
import { heldoutPrompts } from "../data/corpus";
import { splitByPrompt } from "../preferences";
import { ITEMS_PER_HEARTBEAT } from "../heartbeat";
import { blueWordPreference, saveToyCheckpoint, tempStore, toyTokenizer, toyWords } from "../rlhf-testing";
import { jobHandlers } from ".";
import { type JobContext, RunCancelled } from "./types";

// The jobs write to the default store and register in Postgres; both are swapped for test doubles.
const registered: Array<{ record: CheckpointRecord; runId: string | null | undefined }> = [];
vi.mock("@/lib/checkpoints/registry", () => ({
  registerCheckpoint: async ({ record, runId }: { record: CheckpointRecord; runId?: string | null }) => {
    registered.push({ record, runId });
    return { id: `row-${record.id}`, storeKey: record.id };
  },
  getCheckpoint: async ({ checkpointId }: { checkpointId: string }) => (checkpointId === "row-sft" ? { id: "row-sft", storeKey: "sft" } : null),
}));
const snapshot = vi.hoisted(() => ({ rows: [] as unknown[], asked: [] as string[] }));
vi.mock("@/lib/snapshots/snapshots", () => ({
  snapshotPreferenceRows: async ({ snapshotId }: { snapshotId: string }) => {
    snapshot.asked.push(snapshotId);
    return snapshot.rows;
  },
}));
const campaign = vi.hoisted(() => ({ prompts: new Map<string, unknown[]>(), asked: [] as Array<{ campaignId: string; limit?: number }> }));
vi.mock("@/lib/campaigns/campaigns", () => ({
  listCampaignPrompts: async ({ campaignId, limit }: { campaignId: string; limit?: number }) => {
    campaign.asked.push({ campaignId, limit });
    return (campaign.prompts.get(campaignId) ?? []).slice(0, limit).map((content, i) => ({ id: `prompt-${i}`, content }));
  },
}));
const root = vi.hoisted(() => ({ dir: "" }));
vi.mock("../checkpoint", async (importOriginal) => {
  const real = await importOriginal<typeof import("../checkpoint")>();
  class TempFolderStore extends real.FolderCheckpointStore {
    constructor(dir?: string) {
      super(dir ?? root.dir);
    }
  }
  return { ...real, FolderCheckpointStore: TempFolderStore };
});

function context(config: Record<string, unknown>, cancelAfterSteps = Infinity, runId = "0badc0de-0000-4000-8000-000000000000") {
  const metrics: Array<[number, Record<string, number>]> = [];
  const progress: Array<[number, number] | [number, number, number]> = [];
  const samples: RunSampleInput[] = [];
  const flags: RunHealthFlag[] = [];
  const logs: string[] = [];
  let steps = 0;
  const ctx: JobContext = {
    run: { id: runId, kind: "reward", config, parentCheckpointId: null, createdAt: new Date() } as unknown as Run,
    backend: "wasm",
    log: (msg) => void logs.push(msg),
    warn: (msg) => void logs.push(msg),
    raiseFlag: async (flag) => void flags.push(flag),
    reportSamples: async (batch) => void samples.push(...batch),
    reportMetrics: async (step, values) => void metrics.push([step, values]),
    reportProgress: (done, total, budgetMsLeft) => void progress.push(budgetMsLeft === undefined ? [done, total] : [done, total, budgetMsLeft]),
    checkpointStep: async () => {
      if (++steps > cancelAfterSteps) throw new RunCancelled("cancelled");
    },
  };
  return { ctx, metrics, progress, samples, flags, logs, steps: () => steps };
}

/** 360 pairs with distinct prompts, 60% held out: a validation pass of a few ITEMS_PER_HEARTBEAT at batchSize 8. */
function bigValidation(dir: string) {
  const rows = blueWordPreference(360, 7);
  const file = path.join(dir, "big-val.jsonl");
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n"));
  const valPairs = splitByPrompt(rows, 0.6).val.length;
  expect(valPairs).toBeGreaterThanOrEqual(3 * ITEMS_PER_HEARTBEAT);
  return { file, valPairs, config: { data: file, batchSize: 8, epochs: 1, valFraction: 0.6 } };
}

describe("reward job", () => {
  let data: string;
  beforeAll(async () => {
    await initBackend("wasm");
    const store = tempStore();
    root.dir = (store as FolderCheckpointStore).root;
    await saveToyCheckpoint(store, "base", toyTokenizer());
    data = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pairs-")), "pairs.jsonl");
    fs.writeFileSync(data, blueWordPreference(48, 3).map((r) => JSON.stringify(r)).join("\n"));
  });

  it("is registered with dpo and ppo, trains from config.data, reports every step and registers its checkpoint", async () => {
    expect(Object.keys(jobHandlers)).toEqual(expect.arrayContaining(["reward", "dpo", "ppo"]));
    const { ctx, metrics, progress, flags, logs, steps } = context({ data, base: "base", batchSize: 8, lr: 1e-3 });
    const out = await jobHandlers.reward(ctx);
    // 48 pairs at batchSize 8 for one epoch: a handful of steps, which the run's page is told before training.
    expect(flags).toEqual([{ flag: "too_few_steps", iteration: 0, message: expect.stringMatching(/^\d+ training pairs make \d+ optimizer steps at batchSize 8 and 1 epoch, too few/) }]);
    // Raised as a flag, it is not logged again by the job: the worker logs a raised flag itself, once.
    expect(logs.filter((l) => l.includes("training pairs make"))).toEqual([]);
    // progress: each step against one planned total (epochs x batches), reached unless it stopped early
    expect(progress.map(([done]) => done).slice(0, steps())).toEqual(Array.from({ length: steps() }, (_, i) => i + 1));
    const totals = [...new Set(progress.map(([, total]) => total))];
    expect(totals).toHaveLength(1);
    expect(totals[0]).toBeGreaterThanOrEqual(steps());
    if (!out.result.stoppedEarly) expect(totals[0]).toBe(steps());
    expect(out.outputCheckpointId).toBe("row-reward-0badc0de");
    expect(registered.at(-1)).toMatchObject({ runId: ctx.run.id, record: { id: "reward-0badc0de", kind: "reward", parentId: "base" } });
    const trainSteps = metrics.filter(([, m]) => "loss/train" in m).map(([s]) => s);
    expect(trainSteps).toEqual(Array.from({ length: steps() }, (_, i) => i + 1));
    expect(out.result).toMatchObject({ checkpoint: "reward-0badc0de", backend: "wasm" });
    expect(out.result["reward/accuracy_val"]).toBeTypeOf("number");
  });

  it("takes rows from config.snapshotId", async () => {
    snapshot.rows = blueWordPreference(24, 4);
    const { ctx, metrics } = context({ snapshotId: "snap-1", base: "base", batchSize: 8, epochs: 1 });
    const out = await jobHandlers.reward(ctx);
    expect(snapshot.asked).toEqual(["snap-1"]);
    expect(metrics.length).toBeGreaterThan(0);
    expect(out.result["data/train_pairs"]! as number + (out.result["data/val_pairs"] as number)).toBe(24);
  });

  it("stops within one step of a cancel and registers nothing", async () => {
    const before = registered.length;
    const { ctx, metrics } = context({ data, base: "base", batchSize: 8 }, 2);
    await expect(jobHandlers.reward(ctx)).rejects.toBeInstanceOf(RunCancelled);
    expect(metrics.filter(([, m]) => "loss/train" in m)).toHaveLength(2);
    expect(registered.length).toBe(before);
  });

  it("heartbeats every 64 pairs of a validation pass, so a big held-out set neither outlasts the timeout nor ignores a cancel", async () => {
    const big = bigValidation(path.dirname(data));
    const { ctx, metrics, steps } = context({ ...big.config, base: "base", patience: 0 });
    await jobHandlers.reward(ctx);
    const trainSteps = metrics.filter(([, m]) => "loss/train" in m).length;
    // one heartbeat per step, and one per 64 pairs of the single validation pass (batches of 8)
    expect(steps()).toBe(trainSteps + Math.floor(big.valPairs / ITEMS_PER_HEARTBEAT));

    // The pass runs inside the epoch's last step, before it is reported: a cancel there stops it.
    const cancelled = context({ ...big.config, base: "base", patience: 0 }, trainSteps);
    await expect(jobHandlers.reward(cancelled.ctx)).rejects.toBeInstanceOf(RunCancelled);
    expect(cancelled.metrics.filter(([, m]) => "loss/train" in m)).toHaveLength(trainSteps - 1);
  });

  it("refuses unknown config keys and missing data with a clear message", async () => {
    await expect(jobHandlers.reward(context({ data, base: "base", lrr: 1 }).ctx)).rejects.toThrow(/unknown option "lrr"/);
    await expect(jobHandlers.reward(context({ base: "base" }).ctx)).rejects.toThrow(/config.snapshotId .* or config.data/);
  });

  it("names the config key of a file that is not on the worker, and what to give instead, not Node's bare ENOENT", async () => {
    await expect(jobHandlers.reward(context({ data: "missing.jsonl", base: "base" }).ctx)).rejects.toThrow(
      `config.data: no file missing.jsonl on this worker (read as ${path.resolve("missing.jsonl")}, on the worker's machine): copy it there, or choose a dataset snapshot instead`,
    );
    await expect(jobHandlers.eval(context({ baseline: "base", reward: "rm", policy: "base", text: "gone.txt" }).ctx)).rejects.toThrow(
      /^config\.text: no file gone\.txt on this worker .*: copy it there, or give "none" for no perplexity, or leave it out for the committed held-out corpus$/,
    );
    await expect(jobHandlers.ppo(context({ prompts: "nope.txt", sft: "base", reward: "rm" }).ctx)).rejects.toThrow(/^config\.prompts: no file nope\.txt on this worker .*: copy it there, or leave it out and give config\.campaignId or /);
  });

  it("score names its missing rows and the first row it cannot read, as startRun does (lib/runs/config-rules.ts)", async () => {
    const score = (rows: unknown) => jobHandlers.score(context({ checkpoint: "rm", rows }).ctx);
    await expect(score([])).rejects.toThrow("a score run needs config.rows");
    await expect(score([{ prompt: "p", response: "r" }, { prompt: "p", response_a: "a" }])).rejects.toThrow('row 2: a row needs "response", or "response_a" and "response_b"');
  });
});

describe("dpo, ppo and eval jobs", () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend("wasm");
    const store = tempStore();
    root.dir = (store as FolderCheckpointStore).root;
    const tokenizer = toyTokenizer();
    await saveToyCheckpoint(store, "sft", tokenizer, { kind: "sft" });
    await saveToyCheckpoint(store, "rm", tokenizer, { kind: "reward", seed: 4 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobs-"));
    fs.writeFileSync(path.join(dir, "pairs.jsonl"), blueWordPreference(24, 3).map((r) => JSON.stringify(r)).join("\n"));
    fs.writeFileSync(path.join(dir, "prompts.txt"), toyWords.map((w) => `say ${w}`).join("\n"));
    fs.writeFileSync(path.join(dir, "heldout.txt"), "User: say red\nAssistant: red sky<|endoftext|>\n<|endoftext|>\nUser: say cat\nAssistant: cat dog big old sun<|endoftext|>");
  });

  it("dpo trains from config.data and registers a policy", async () => {
    const { ctx, metrics } = context({ data: path.join(dir, "pairs.jsonl"), sft: "sft", batchSize: 8, lr: 1e-3 });
    const out = await jobHandlers.dpo(ctx);
    expect(registered.at(-1)!.record).toMatchObject({ kind: "policy", parentId: "sft" });
    expect(out.outputCheckpointId).toBe(`row-${registered.at(-1)!.record.id}`);
    expect(metrics.some(([, m]) => "rewards/accuracies" in m)).toBe(true);
  });

  it("dpo heartbeats every 64 pairs of its validation pass", async () => {
    const big = bigValidation(dir);
    const { ctx, metrics, steps } = context({ ...big.config, sft: "sft", lr: 1e-3 });
    await jobHandlers.dpo(ctx);
    expect(metrics.filter(([, m]) => "eval/loss/dpo" in m)).toHaveLength(1);
    // one heartbeat per report (each step's and the validation's), and one per 64 pairs of the pass
    expect(steps()).toBe(metrics.length + Math.floor(big.valPairs / ITEMS_PER_HEARTBEAT));
  });

  it("ppo heartbeats every update, reports every iteration, stores samples and resumes its own state", async () => {
    const config = { sft: "sft", reward: "rm", prompts: path.join(dir, "prompts.txt"), iterations: 2, batchSize: 4, miniBatchSize: 2, ppoEpochs: 1, maxNewTokens: 4, sampleEvery: 1, samplesPerLog: 2, lr: 1e-3 };
    const { ctx, metrics, samples, steps } = context(config);
    const out = await jobHandlers.ppo(ctx);
    expect(metrics.map(([s]) => s)).toEqual([1, 2]);
    expect(steps()).toBe(2 * 2); // 2 iterations x 2 minibatches
    // two per iteration, reported as each iteration ends; the result keeps only their number
    expect(samples.map((s) => s.iteration)).toEqual([1, 1, 2, 2]);
    expect(samples.every((s) => typeof s.response === "string" && Number.isFinite(s.score))).toBe(true);
    expect(out.result.samples).toBe(4);
    expect(registered.at(-1)!.record).toMatchObject({ kind: "policy", parentId: "sft" });
    // the same run claimed again (a recovered run) finds its finished state and does no more work
    const again = context(config);
    await jobHandlers.ppo(again.ctx);
    expect(again.metrics).toHaveLength(0);
  });

  it("ppo reports with each iteration the time left of its maxMinutes budget, which the run's ETA counts to", async () => {
    const config = { sft: "sft", reward: "rm", prompts: path.join(dir, "prompts.txt"), maxMinutes: 60, iterations: 2, batchSize: 4, miniBatchSize: 2, ppoEpochs: 1, maxNewTokens: 4, lr: 1e-3 };
    const { ctx, progress } = context(config, Infinity, "c0ffee02-0000-4000-8000-000000000000");
    await jobHandlers.ppo(ctx);
    expect(progress.map(([done, total]) => [done, total])).toEqual([[1, 2], [2, 2]]);
    const left = progress.map((p) => p[2]!);
    expect(left[0]).toBeLessThan(3_600_000);
    expect(left[0]).toBeGreaterThan(3_000_000);
    expect(left[1]).toBeLessThan(left[0]);
    // without maxMinutes there is no budget to report
    const plain = context({ ...config, maxMinutes: 0 }, Infinity, "c0ffee03-0000-4000-8000-000000000000");
    await jobHandlers.ppo(plain.ctx);
    expect(plain.progress).toEqual([[1, 2], [2, 2]]);
  });

  it("ppo takes its prompts from config.campaignId, at most promptLimit of them, over a snapshotId the runs form filled in", async () => {
    const campaignId = "c0ffee00-0000-4000-8000-000000000000";
    const prompts = ["say cat", [{ role: "user", content: "say sky" }], "say old", "say dog", "say tree"];
    campaign.prompts.set(campaignId, prompts);
    const asked = snapshot.asked.length;
    const config = { sft: "sft", reward: "rm", campaignId, promptLimit: 2, snapshotId: "snap-from-form", iterations: 2, batchSize: 4, miniBatchSize: 2, ppoEpochs: 1, maxNewTokens: 4, sampleEvery: 1, samplesPerLog: 2, lr: 1e-3 };
    const { ctx, metrics, samples } = context(config, Infinity, "c0ffee00-1111-4000-8000-000000000000");
    await jobHandlers.ppo(ctx);
    expect(campaign.asked.at(-1)).toEqual({ campaignId, limit: 2 });
    expect(snapshot.asked).toHaveLength(asked);
    expect(metrics.map(([s]) => s)).toEqual([1, 2]);
    // Every rollout prompt is one of the campaign's first two (a string or a message list).
    expect(samples).toHaveLength(4);
    for (const s of samples) expect(prompts.slice(0, 2)).toContainEqual(s.prompt);
    // its own checkpoint (context() makes runs of kind "reward"), not the earlier ppo test's resumed state
    expect(registered.at(-1)!.record).toMatchObject({ id: "reward-c0ffee00", kind: "policy", parentId: "sft" });
  });

  it("ppo refuses a campaign without prompts, a bad campaignId or promptLimit, and a promptLimit without a campaign", async () => {
    const ppo = (config: Record<string, unknown>) => jobHandlers.ppo(context({ sft: "sft", reward: "rm", iterations: 1, ...config }).ctx);
    await expect(ppo({ campaignId: "c0ffee00-0000-4000-8000-0000000000ff" })).rejects.toThrow(
      "campaign c0ffee00-0000-4000-8000-0000000000ff has no prompts to train on (or does not exist); import pairs into it first, or give config.prompts or config.snapshotId",
    );
    await expect(ppo({ campaignId: "demo" })).rejects.toThrow("config.campaignId: must be a campaign id (a uuid)");
    await expect(ppo({ campaignId: "c0ffee00-0000-4000-8000-000000000000", promptLimit: 0 })).rejects.toThrow("config.promptLimit: must be a whole number of prompts, at least 1");
    await expect(ppo({ promptLimit: 3, prompts: path.join(dir, "prompts.txt") })).rejects.toThrow("config.promptLimit applies to config.campaignId");
    await expect(ppo({})).rejects.toThrow(/needs config.prompts .*, config.campaignId .* or config.snapshotId/);
  });

  it("eval stores the table as the run's result, reporting progress and heartbeating as it samples", async () => {
    const { ctx, progress, steps } = context({ policy: "sft", baseline: "sft", reward: "rm", prompts: path.join(dir, "prompts.txt"), text: path.join(dir, "heldout.txt"), maxNewTokens: 4, bestOfN: ["4"] });
    const out = await jobHandlers.eval(ctx);
    // Samples of A, B and the best-of-4 pool: (4 + 4 + 4) per prompt, the last report at the total.
    const total = (out.result.prompts as number) * 12;
    expect(progress.at(-1)).toEqual([total, total]);
    expect(progress.every(([, t]) => t === total)).toBe(true);
    expect(steps()).toBe(1 + progress.length); // once before sampling, then after every report
    expect(out.result.table).toMatch(/best-of-4 B/);
    expect((out.result.rows as Array<{ name: string }>).map((r) => r.name)).toEqual(["A sft", "B sft", "best-of-4 B"]);
    expect(out.result.promptSource).toBe(`file ${path.join(dir, "prompts.txt")}`);
  });

  const quickEval = { baseline: "sft", reward: "rm", text: "none", samples: 1, maxNewTokens: 4, bestOfN: [] };

  it("eval takes policy A from the parent checkpoint and, without a prompts source, the held-out headwords", async () => {
    const { ctx } = context({ ...quickEval, maxPrompts: 2 });
    (ctx.run as { parentCheckpointId: string | null }).parentCheckpointId = "row-sft";
    const lines: Array<[string, Record<string, unknown> | undefined]> = [];
    ctx.log = (msg, fields) => void lines.push([msg, fields]);
    const out = await jobHandlers.eval(ctx);
    expect(out.result).toMatchObject({ promptSource: "the held-out headwords", prompts: 2 });
    // The log's count is the prompts evaluated (maxPrompts), not the headwords there are.
    expect(lines.find(([msg]) => msg === "prompts")?.[1]).toEqual({ source: "the held-out headwords", prompts: 2, of: heldoutPrompts().length });
    expect((out.result.rows as Array<{ name: string }>).map((r) => r.name)).toEqual(["A sft", "B sft"]);
    await expect(jobHandlers.eval(context(quickEval).ctx)).rejects.toThrow("the run needs config.policy (a checkpoint id) or a parent checkpoint");
  });

  it("eval takes a campaign's prompts, at most promptLimit, and refuses an empty campaign", async () => {
    const campaignId = "c0ffee00-0000-4000-8000-0000000000e1";
    campaign.prompts.set(campaignId, ["say cat", "say dog", "say red"]);
    const out = await jobHandlers.eval(context({ ...quickEval, policy: "sft", campaignId, promptLimit: 2 }).ctx);
    expect(campaign.asked.at(-1)).toEqual({ campaignId, limit: 2 });
    expect(out.result).toMatchObject({ promptSource: `campaign ${campaignId}`, prompts: 2 });
    const empty = "c0ffee00-0000-4000-8000-0000000000e2";
    await expect(jobHandlers.eval(context({ ...quickEval, policy: "sft", campaignId: empty }).ctx)).rejects.toThrow(
      `campaign ${empty} has no prompts to evaluate on (or does not exist); import pairs into it first, or give config.prompts or leave out config.campaignId for the held-out headwords`,
    );
  });
});
