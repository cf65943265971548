import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Run } from "@/db/schema";
import { initBackend } from "../backend";
import type { CheckpointRecord } from "../checkpoint";
import { lmFixture } from "../lm-testing";
import { jobHandlers } from ".";
import type { JobContext } from "./types";

// The jobs write to the default store and register in Postgres; both are swapped for test doubles.
const registered: Array<{ record: CheckpointRecord; runId: string | null | undefined }> = [];
vi.mock("@/lib/checkpoints/registry", () => ({
  registerCheckpoint: async ({ record, runId }: { record: CheckpointRecord; runId?: string | null }) => {
    registered.push({ record, runId });
    return { id: `row-${record.id}`, storeKey: record.id };
  },
  getCheckpoint: async ({ checkpointId }: { checkpointId: string }) => ({ id: checkpointId, storeKey: checkpointId.replace(/^row-/, "") }),
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

function context(kind: string, config: Record<string, unknown>, parentCheckpointId: string | null = null, runId = "feedc0de-0000-4000-8000-000000000000") {
  const metrics: Array<[number, Record<string, number>]> = [];
  let steps = 0;
  const ctx: JobContext = {
    run: { id: runId, kind, config, parentCheckpointId, createdAt: new Date() } as unknown as Run,
    backend: "wasm",
    log: () => {},
    warn: () => {},
    raiseFlag: async () => {},
    reportSamples: async () => {},
    reportMetrics: async (step, values) => void metrics.push([step, values]),
    reportProgress: () => {},
    checkpointStep: async () => void steps++,
  };
  return { ctx, metrics, steps: () => steps };
}

describe("pretrain and sft jobs", () => {
  let fx: Awaited<ReturnType<typeof lmFixture>>;
  beforeAll(async () => {
    await initBackend("wasm");
    fx = await lmFixture();
    root.dir = fx.dir;
  });
  afterAll(() => fx.cleanup());

  it("pretrains from the run's config, reports every step and registers a base checkpoint; sft builds on it", async () => {
    const tiny = { vocabSize: 300, tokenizerChars: 0, contextLength: 32, layers: 1, heads: 2, dModel: 16, batch: 4, lr: 1e-2, warmupSteps: 2, saveEvery: 0 };
    const pre = context("pretrain", { ...tiny, corpus: fx.corpus, heldout: fx.heldout, steps: 6, evalEvery: 3, evalWindows: 4 });
    const out = await jobHandlers.pretrain!(pre.ctx);
    expect(out.outputCheckpointId).toBe("row-pretrain-feedc0de");
    expect(registered.at(-1)).toMatchObject({ record: { id: "pretrain-feedc0de", kind: "base" }, runId: pre.ctx.run.id });
    expect(pre.steps()).toBe(6);
    expect(pre.metrics.map(([s]) => s)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Object.keys(pre.metrics[0][1])).toEqual(expect.arrayContaining(["loss/train", "lr", "tokens/s"]));
    expect(pre.metrics[2][1]["loss/val"]).toBeGreaterThan(0);

    const sft = context("sft", { data: fx.sft, heldoutData: fx.sft, batch: 3, steps: 4, lr: 1e-2, warmupSteps: 1, saveEvery: 0 }, "row-pretrain-feedc0de");
    const s = await jobHandlers.sft!(sft.ctx);
    expect(s.outputCheckpointId).toBe("row-sft-feedc0de");
    expect(registered.at(-1)!.record).toMatchObject({ kind: "sft", parentId: "pretrain-feedc0de" });
    expect(sft.metrics).toHaveLength(4);
  });

  it("heartbeats every 64 windows of pretraining's evaluation and every 64 examples of SFT's, so a big one does not outlast the worker's heartbeat timeout", async () => {
    const tiny = { vocabSize: 300, tokenizerChars: 0, contextLength: 32, layers: 1, heads: 2, dModel: 16, batch: 4, lr: 1e-2, warmupSteps: 1, saveEvery: 0 };
    // the training corpus as held-out text: 130 windows of 32 tokens, one evaluation (at the last step)
    const pre = context("pretrain", { ...tiny, corpus: fx.corpus, heldout: fx.corpus, steps: 2, evalEvery: 0, evalWindows: 130 }, null, "beadc0de-0000-4000-8000-000000000000");
    await jobHandlers.pretrain!(pre.ctx);
    expect(pre.steps()).toBe(2 + 2); // one per step, one per 64 windows (batches of 4)

    const examples = fs.readFileSync(fx.sft, "utf8").trim().split("\n");
    const many = path.join(fx.dir, "many.jsonl");
    fs.writeFileSync(many, Array.from({ length: 140 }, (_, i) => examples[i % examples.length]).join("\n"));
    const sft = context("sft", { data: fx.sft, heldoutData: many, batch: 3, steps: 2, lr: 1e-2, warmupSteps: 1, saveEvery: 0, evalExamples: 140 }, "row-pretrain-feedc0de", "beadc0de-0000-4000-8000-000000000000");
    await jobHandlers.sft!(sft.ctx);
    expect(sft.steps()).toBe(2 + 2); // one per step, one per 64 examples (batches of 32: after 64 and after 128)
  });

  it("refuses a run config with an unknown option", async () => {
    await expect(jobHandlers.pretrain!(context("pretrain", { stepz: 3 }).ctx)).rejects.toThrow(/unknown option "stepz"/);
  });
});
