import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { dpoLoss, trainDpo } from "./dpo";
import { blueWordPreference, saveToySft, tempStore, toyTokenizer } from "./rlhf-testing";

describe("DPO", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("loss and rewards match hand-computed values", () => {
    // beta 0.5: r_c = 0.5 (-1 - -2) = 0.5, r_r = 0.5 (-3 - -2) = -0.5; loss = -log s(1) = 0.3132617
    const out = tf.tidy(() => {
      const { loss, metrics } = dpoLoss(tf.tensor1d([-1]), tf.tensor1d([-3]), tf.tensor1d([-2]), tf.tensor1d([-2]), 0.5);
      return { loss: loss.dataSync()[0], m: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, v.dataSync()[0]])) };
    });
    expect(out.loss).toBeCloseTo(0.3132617, 5);
    expect(out.m["rewards/chosen"]).toBeCloseTo(0.5, 6);
    expect(out.m["rewards/rejected"]).toBeCloseTo(-0.5, 6);
    expect(out.m["rewards/margins"]).toBeCloseTo(1, 6);
    expect(out.m["rewards/accuracies"]).toBe(1);
    // label smoothing 0.1: 0.9 * 0.3132617 + 0.1 * -log s(-1) = 0.9 * 0.3132617 + 0.1 * 1.3132617
    const smoothed = tf.tidy(() => dpoLoss(tf.tensor1d([-1]), tf.tensor1d([-3]), tf.tensor1d([-2]), tf.tensor1d([-2]), 0.5, 0.1).loss.dataSync()[0]);
    expect(smoothed).toBeCloseTo(0.4132617, 5);
  });

  it("learns a toy preference: rewards/accuracies > 0.9 (train and held out), margins start at 0", async () => {
    const store = tempStore();
    const tokenizer = toyTokenizer();
    await saveToySft(store, "sft", tokenizer, { steps: 60 });
    const seen: Array<Record<string, number>> = [];
    const before = tf.memory().numTensors;
    const res = await trainDpo({
      rows: blueWordPreference(240, 8),
      sftCheckpointId: "sft",
      store,
      outputId: "dpo",
      config: { lr: 3e-3, beta: 0.1, epochs: 5, batchSize: 16, valFraction: 0.2 },
      onStep: (_, m) => void seen.push(m),
    });
    const train = seen.filter((m) => "rewards/accuracies" in m);
    const lastTrain = train.slice(-3).reduce((a, m) => a + m["rewards/accuracies"], 0) / 3;
    console.log(`dpo toy: train rewards/accuracies (last 3 steps) ${lastTrain.toFixed(3)}, eval ${res.metrics["eval/rewards/accuracies"].toFixed(3)}, margin ${res.metrics["eval/rewards/margins"].toFixed(3)}, ${res.steps} steps, ${res.metrics["train/seconds"].toFixed(1)} s`);
    for (const k of ["loss/dpo", "rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins"]) expect(train[0]).toHaveProperty(k);
    expect(train[0]["rewards/margins"]).toBeCloseTo(0, 5); // policy = reference at the first step
    expect(res.metrics["eval/rewards/accuracies"]).toBeGreaterThan(0.9);
    expect(lastTrain).toBeGreaterThan(0.9);
    expect(res.record.kind).toBe("policy");
    expect(tf.memory().numTensors).toBe(before);
  });
});
