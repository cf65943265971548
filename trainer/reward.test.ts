import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { loadCheckpoint } from "./checkpoint";
import { epochBatches, type PreferenceRow, splitByPrompt } from "./preferences";
import { fewStepsWarning, pairTarget, preferenceLoss, preferenceLossValue, rewardDefaults, trainRewardModel } from "./reward";
import { blueWordPreference, saveToyCheckpoint, tempStore, toyTokenizer } from "./rlhf-testing";
import { createRng } from "./rng";
import { scoreRows } from "./score";

describe("reward loss", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("matches hand-computed values on 3 pairs: margin, weight, tie, centering", () => {
    const config = { ...rewardDefaults, marginScale: 1, marginMap: "1:0,2:0.5,3:1" };
    const rows: PreferenceRow[] = [
      { prompt: "p", chosen: "a", rejected: "b", margin: 2 }, // margin 0.5
      { prompt: "p", chosen: "a", rejected: "c", weight: 2 }, // no strength: margin 0, weight 2
      { prompt: "q", chosen: "a", rejected: "b", margin: 3, tie: true }, // tie: margin ignored, target 0.5
    ];
    const targets = rows.map((r) => pairTarget(r, config));
    expect(targets).toEqual([
      { margin: 0.5, weight: 1, target: 1 },
      { margin: 0, weight: 2, target: 1 },
      { margin: 0, weight: 1, target: 0.5 },
    ]);
    const rc = [1.0, 0.5, -0.2];
    const rr = [0.0, 0.8, -0.2];
    // -log s(0.5) = 0.474077, -log s(-0.3) = 0.854355, tie at d = 0: log 2 = 0.693147
    // weighted mean (0.474077 + 2 * 0.854355 + 0.693147) / 4 = 0.718984
    const loss = tf.tidy(() => preferenceLoss(tf.tensor1d(rc), tf.tensor1d(rr), targets).dataSync()[0]);
    expect(loss).toBeCloseTo(0.7189837, 5);
    expect(preferenceLossValue(rc, rr, targets)).toBeCloseTo(0.7189837, 6);
    // + 0.1 * mean((1)^2, (1.3)^2, (-0.4)^2) = + 0.095
    const centered = tf.tidy(() => preferenceLoss(tf.tensor1d(rc), tf.tensor1d(rr), targets, 0.1).dataSync()[0]);
    expect(centered).toBeCloseTo(0.8139837, 5);
    // marginScale 0 turns margins off; without a map the strength is the margin
    expect(pairTarget(rows[0], { ...config, marginScale: 0 }).margin).toBe(0);
    expect(pairTarget(rows[0], { ...config, marginMap: "" }).margin).toBe(2);
    expect(pairTarget(rows[1], { ...config, useWeights: false }).weight).toBe(1);
    // The rule startRun checks (lib/runs/config-rules.ts), in the same words.
    expect(() => pairTarget(rows[0], { ...config, marginMap: "1:0,2:half" })).toThrow('marginMap entry "2:half" is not strength:margin');
  });
});

describe("fewStepsWarning", () => {
  it("names the pairs, steps, batch and epochs of a plan under 50 steps, and what to change; none from 50 up", () => {
    expect(fewStepsWarning({ trainPairs: 60, steps: 4, config: { batchSize: 16, epochs: 1 } })).toMatch(
      /^60 training pairs make 4 optimizer steps at batchSize 16 and 1 epoch, too few .* e\.g\. \{"epochs": 12, "batchSize": 4, "lr": 3e-4, "valFraction": 0\.25, "patience": 0\}\.$/,
    );
    expect(fewStepsWarning({ trainPairs: 3, steps: 1, config: { batchSize: 4, epochs: 2 } })).toMatch(/^3 training pairs make 1 optimizer step at batchSize 4 and 2 epochs,/);
    expect(fewStepsWarning({ trainPairs: 800, steps: 50, config: { batchSize: 16, epochs: 1 } })).toBeNull();
  });
});

describe("reward model on wasm", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("learns a synthetic preference (responses with 'blue') to val accuracy >= 0.95 within 60 s, and scoring agrees", async () => {
    const store = tempStore();
    const tokenizer = toyTokenizer();
    await saveToyCheckpoint(store, "base", tokenizer);
    const rows = blueWordPreference(400, 5);
    const t0 = performance.now();
    const steps: Array<Record<string, number>> = [];
    const before = tf.memory().numTensors;
    const res = await trainRewardModel({
      rows,
      baseCheckpointId: "base",
      store,
      outputId: "rm",
      config: { lr: 3e-3, epochs: 6, batchSize: 16, valFraction: 0.2, patience: 2 },
      onStep: (_, m) => void steps.push(m),
    });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`reward synthetic: val accuracy ${res.metrics["reward/accuracy_val"]}, ece ${res.metrics["reward/ece"].toFixed(3)}, ${res.steps} steps, ${seconds.toFixed(1)} s, ${res.metrics["tokens/s"].toFixed(0)} tokens/s`);
    expect(tf.memory().numTensors).toBe(before);
    expect(res.metrics["reward/accuracy_val"]).toBeGreaterThanOrEqual(0.95);
    expect(seconds).toBeLessThan(60);
    expect(res.record.kind).toBe("reward");
    expect(res.record.parentId).toBe("base");
    for (const name of ["loss/train", "reward/accuracy", "reward/margin", "reward/chosen_mean", "reward/rejected_mean", "tokens/s"]) expect(steps[0]).toHaveProperty(name);
    expect(steps.some((m) => "loss/val" in m && "reward/accuracy_val" in m && "reward/ece" in m)).toBe(true);
    expect(steps.at(-1)!["loss/train"]).toBeLessThan(steps[0]["loss/train"]);
    const { model } = await loadCheckpoint(store, "rm");
    expect(model.params["score.weight"].shape).toEqual([1, 32]);

    // score: a held-out pair file's P(a > b) agrees with the validation accuracy
    const held = blueWordPreference(60, 99);
    const scored = await scoreRows({ store, checkpointId: "rm", rows: held.map((r) => ({ prompt: r.prompt, response_a: r.chosen, response_b: r.rejected })) });
    const agree = scored.filter((s) => "p_a_better" in s && s.p_a_better > 0.5).length / scored.length;
    expect(agree).toBeGreaterThanOrEqual(0.9);
    const single = await scoreRows({ store, checkpointId: "rm", rows: [{ prompt: held[0].prompt, response: held[0].chosen }] });
    expect("score" in single[0] && single[0].score).toBeCloseTo("score_a" in scored[0] ? scored[0].score_a : NaN, 4);
  });

  it("plans the steps it takes and validates at each epoch's end, though shuffled epochs pack into different batch counts", async () => {
    const store = tempStore();
    const tokenizer = toyTokenizer();
    await saveToyCheckpoint(store, "base", tokenizer);
    // Prompts with 1, 2 or 3 pairs, packed whole into batches of about 4.
    const promptIds = Array.from({ length: 40 }, (_, g) => Array<string>(1 + (g % 3)).fill(`p${g}`)).flat();
    const rows = blueWordPreference(promptIds.length, 3).map((r, i) => ({ ...r, promptId: promptIds[i] }));
    const config = { lr: 1e-3, epochs: 4, batchSize: 4, valFraction: 0.2, patience: 0 };
    // The run was planned as 4 x the unshuffled packing's count, while each shuffled epoch has its own.
    const { train } = splitByPrompt(rows, config.valFraction, "");
    const counts = epochBatches(train, config.batchSize, config.epochs, createRng(rewardDefaults.seed).next).map((b) => b.length);
    expect(new Set(counts).size).toBeGreaterThan(1);

    let planned = 0;
    const steps: Array<Record<string, number>> = [];
    const flags: string[] = [];
    const res = await trainRewardModel({ rows, baseCheckpointId: "base", store, outputId: "rm-plan", config, onPlan: (n) => void (planned = n), onStep: (_, m) => void steps.push(m), onHealth: (f) => void flags.push(f.flag) });
    expect(res.steps).toBe(counts.reduce((a, b) => a + b, 0));
    expect(planned).toBe(res.steps);
    expect(res.steps).toBeGreaterThanOrEqual(50);
    expect(flags).toEqual([]);
    // Validation once per epoch, at its last step.
    const validatedAt = steps.map((m, i) => ("loss/val" in m ? i + 1 : 0)).filter(Boolean);
    expect(validatedAt).toEqual(counts.map((_, e) => counts.slice(0, e + 1).reduce((a, b) => a + b, 0)));
  });
});
