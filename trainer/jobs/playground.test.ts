import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as playgroundRoute } from "@/app/api/v1/playground/route";
import type { Checkpoint, Run } from "@/db/schema";
import { createApiToken } from "@/lib/auth/tokens";
import { registerCheckpoint } from "@/lib/checkpoints/registry";
import type { PlaygroundResult } from "@/lib/runs/schema";
import { makeUser } from "@/lib/testing/fixtures";
import { startTestWorker } from "@/lib/testing/worker";
import { initBackend } from "../backend";
import { checkpointRecord, FolderCheckpointStore, loadCheckpoint, saveCheckpoint } from "../checkpoint";
import { generate } from "../generate";
import { createModel, disposeModel } from "../model";
import { formatPrompt, parseResponse } from "../prompt-format";
import { sigmoid } from "../rl-math";
import { scoreRows } from "../score";
import { installShippedCheckpoints, shippedBaseId, shippedModelConfig, shippedSftId } from "../shipped";
import type { RunningWorker } from "../worker-loop";
import { playground } from "./playground";
import { type JobContext, RunCancelled } from "./types";

const PROMPT = "Define: harbor";
const SETTINGS = { temperature: 0.8, maxNewTokens: 12, seed: 7 };

describe("playground job (shipped checkpoints, real Postgres, real worker loop)", () => {
  const store = new FolderCheckpointStore();
  const rewardKey = `test-playground-rm-${randomUUID().slice(0, 8)}`;
  let base: Checkpoint, sft: Checkpoint, rm: Checkpoint;
  let token: string;
  let worker: RunningWorker;

  const post = (body: unknown) =>
    playgroundRoute(new Request("http://test/api/v1/playground", { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) }), undefined);

  beforeAll(async () => {
    await initBackend("cpu");
    const [baseRecord, sftRecord] = await installShippedCheckpoints(store);
    // A reward model over the shipped tokenizer: untrained, but its scores differ from text to text.
    const shipped = await loadCheckpoint(store, shippedSftId);
    disposeModel(shipped.model);
    const tokenizer = shipped.tokenizer;
    const rewardModel = createModel(shippedModelConfig, { seed: 5, heads: ["reward"] });
    await saveCheckpoint(store, { id: rewardKey, model: rewardModel, tokenizer, kind: "reward", parentId: null, backend: "cpu", trainingConfig: {}, metrics: {} });
    disposeModel(rewardModel);
    base = await registerCheckpoint({ record: baseRecord! });
    sft = await registerCheckpoint({ record: sftRecord! });
    rm = await registerCheckpoint({ record: await checkpointRecord(store, rewardKey) });
    expect([base.storeKey, sft.storeKey]).toEqual([shippedBaseId, shippedSftId]);
    token = (await createApiToken({ userId: (await makeUser("researcher")).id, name: "playground" }))!.token;
    worker = await startTestWorker({ playground });
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
  });

  it("samples both checkpoints with the shared template and settings, and scores each with the reward model", async () => {
    const res = await post({ prompt: PROMPT, checkpointIds: [sft.id, base.id], rewardCheckpointId: rm.id, ...SETTINGS });
    expect(res.status).toBe(200);
    const body = (await res.json()) as PlaygroundResult & { runId: string };
    expect(body.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.settings).toEqual(SETTINGS);
    expect(body.reward).toMatchObject({ id: rm.id, kind: "reward", storeKey: rewardKey });
    expect(body.samples.map((s) => s.checkpoint.name)).toEqual([shippedSftId, shippedBaseId]);

    // Each sample is what generate() gives for the formatted prompt with the same seed.
    for (const [i, key] of [shippedSftId, shippedBaseId].entries()) {
      const { model, tokenizer } = await loadCheckpoint(store, key);
      const [g] = generate(model, tokenizer, [formatPrompt(PROMPT)], { ...SETTINGS, topP: 1, stop: ["\n"] });
      disposeModel(model);
      expect(body.samples[i]).toMatchObject({ text: parseResponse(g!.text), tokens: g!.tokens.length, finishReason: g!.finishReason });
      expect(body.samples[i]!.tokens).toBeGreaterThan(0);
      expect(body.samples[i]!.tokens).toBeLessThanOrEqual(SETTINGS.maxNewTokens);
    }
    expect(body.samples[0]!.text).not.toBe(body.samples[1]!.text);

    // The scores are the reward model's, and the probability is Bradley-Terry's on them.
    const again = await scoreRows({ store, checkpointId: rewardKey, rows: body.samples.map((s) => ({ prompt: PROMPT, response: s.text })) });
    expect(body.samples.map((s) => s.score)).toEqual(again.map((s) => ("score" in s ? s.score : NaN)));
    expect(body.samples[0]!.score).not.toBe(body.samples[1]!.score);
    expect(body.pFirstBetter).toBeCloseTo(sigmoid(body.samples[0]!.score! - body.samples[1]!.score!), 12);
  }, 120_000);

  it("without a reward model returns the same two answers, unscored", async () => {
    const scored = (await (await post({ prompt: PROMPT, checkpointIds: [sft.id, base.id], rewardCheckpointId: rm.id, ...SETTINGS })).json()) as PlaygroundResult;
    const res = await post({ prompt: PROMPT, checkpointIds: [sft.id, base.id], ...SETTINGS });
    expect(res.status).toBe(200);
    const body = (await res.json()) as PlaygroundResult;
    expect(body.reward).toBeNull();
    expect(body.pFirstBetter).toBeNull();
    expect(body.samples.map((s) => [s.checkpoint.name, s.text, s.score])).toEqual(scored.samples.map((s) => [s.checkpoint.name, s.text, null]));
  }, 120_000);

  it("refuses a reward model as a sampler, a language model as the scorer, and an unknown checkpoint", async () => {
    const asSampler = await post({ prompt: PROMPT, checkpointIds: [sft.id, rm.id], rewardCheckpointId: rm.id });
    expect(asSampler.status).toBe(400);
    expect(await asSampler.json()).toMatchObject({ error: { code: "bad_request:checkpoint_kind", message: expect.stringMatching(/is a reward checkpoint; this needs a policy, sft or base checkpoint\./) } });
    const asScorer = await post({ prompt: PROMPT, checkpointIds: [sft.id, base.id], rewardCheckpointId: sft.id });
    expect(asScorer.status).toBe(400);
    expect(await asScorer.json()).toMatchObject({ error: { message: expect.stringMatching(/is an sft checkpoint; this needs a reward checkpoint\./) } });
    expect((await post({ prompt: PROMPT, checkpointIds: [sft.id, randomUUID()], rewardCheckpointId: rm.id })).status).toBe(404);
    const invalid = await post({ prompt: " ", checkpointIds: [sft.id], rewardCheckpointId: rm.id, temperature: 3 });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { details: Array<{ path: string }> } }).error.details.map((d) => d.path).sort()).toEqual(["checkpointIds", "prompt", "temperature"]);
  });

  it("fails with a clear message when the prompt does not fit the checkpoint's context", async () => {
    const res = await post({ prompt: `Define: ${"antidisestablishmentarianism ".repeat(20)}`, checkpointIds: [sft.id, base.id], rewardCheckpointId: rm.id });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "bad_request:playground", message: expect.stringMatching(/the prompt is \d+ tokens in demo-sft's template; it reads at most 63 .* Shorten the prompt/) } });
  }, 60_000);

  it("stops when the run is cancelled before it samples", async () => {
    const config = { prompt: PROMPT, checkpoints: [sft, base].map((c) => ({ id: c.id, name: c.name, kind: c.kind, storeKey: c.storeKey })), reward: { id: rm.id, name: rm.name, kind: rm.kind, storeKey: rm.storeKey }, ...SETTINGS };
    const ctx: JobContext = {
      run: { id: randomUUID(), kind: "playground", config } as unknown as Run,
      backend: "cpu",
      log: () => {},
      warn: () => {},
      raiseFlag: async () => {},
      reportSamples: async () => {},
      reportMetrics: async () => {},
      reportProgress: () => {},
      checkpointStep: async () => {
        throw new RunCancelled("cancelled");
      },
    };
    await expect(playground(ctx)).rejects.toBeInstanceOf(RunCancelled);
    // A config the route would not have written (one started through POST /api/v1/runs, which refuses it first): named key by key, as startRun names it.
    const broken = { prompt: PROMPT, checkpoints: config.checkpoints.slice(0, 1), reward: null, temperature: 3 };
    await expect(playground({ ...ctx, run: { ...ctx.run, config: broken } })).rejects.toThrow("config.checkpoints: needs at least 2 items; config.temperature: must be at most 2");
  });
});
