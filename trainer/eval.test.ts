import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { bestOfGroups, bestOfNOnPool, evaluatePolicies, formatEvalTable, formatOptimum, mostTiltKl, pairedWinRate, tiltAtKl, tiltedPool } from "./eval";
import { formatExample } from "./prompt-format";
import { createRng } from "./rng";
import { saveToyCheckpoint, saveToySft, tempStore, toyDemos, toyTokenizer } from "./rlhf-testing";

describe("eval", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("compares A with B: win rate, KL, perplexity, distinct-2, length, best-of-n lines", async () => {
    const store = tempStore();
    const tokenizer = toyTokenizer();
    await saveToySft(store, "b", tokenizer, { steps: 40 });
    await saveToySft(store, "a", tokenizer, { steps: 40, seed: 2 });
    await saveToyCheckpoint(store, "rm", tokenizer, { kind: "reward", seed: 5 });
    const prompts = toyDemos(24, 9).map((d) => d.prompt);
    const progress: Array<[number, number]> = [];
    const events: string[] = [];
    const input = {
      store,
      policyId: "a",
      baselineId: "b",
      rewardId: "rm",
      prompts,
      texts: toyDemos(32, 10).map((d) => formatExample(d.prompt, d.response)),
      config: { maxNewTokens: 8 },
    };
    const res = await evaluatePolicies({
      ...input,
      onProgress: async (done, total) => {
        progress.push([done, total]);
        events.push(String(done));
      },
      heartbeat: async () => void events.push("beat"),
    });
    console.log(res.table);
    // After every 64 responses sampled: 24 prompts x 4 from A (96: 64 + 32), as many from B, 24 x 16 for the pool (384: 6 x 64).
    expect(progress).toEqual([64, 96, 160, 192, 256, 320, 384, 448, 512, 576].map((done) => [done, 24 * (4 + 4 + 16)]));
    // Between samplings, a heartbeat every 64 responses scored (A's 96 and B's, then the pool's 384) and
    // every 64 of A's samples given log-probs under A and under B; the numbers are those of a run without.
    expect(events.join(" ")).toMatch(/^64 96 160 192 beat beat beat beat (beat )*256 320 384 448 512 576 beat beat beat beat beat beat$/);
    expect((await evaluatePolicies(input)).rows).toEqual(res.rows);
    const [a, b, bo4, bo16] = res.rows;
    expect(res.rows.map((r) => r.name)).toEqual(["A a", "B b", "best-of-4 B", "best-of-16 B"]);
    expect(b.winRateVsBaseline).toBe(0.5);
    expect(b.klToBaseline).toBe(0);
    expect(a.klToBaseline).toBeGreaterThan(0); // a different model: positive KL on its own samples
    expect(bo4.klToBaseline).toBeCloseTo(Math.log(4) - 3 / 4, 12);
    expect(bo16.meanScore).toBeGreaterThan(bo4.meanScore);
    expect(bo4.meanScore).toBeGreaterThan(b.meanScore);
    expect(bo16.winRateVsBaseline).toBeGreaterThan(0.5);
    expect(a.perplexity).toBeGreaterThan(1);
    expect(b.perplexity).toBeGreaterThan(1);
    expect(bo4.perplexity).toBeNull();
    for (const r of res.rows) {
      expect(r.distinct2).toBeGreaterThan(0);
      expect(r.meanLength).toBeGreaterThan(0);
    }
    for (const r of res.rows) expect(r.scoreStdErr).toBeGreaterThan(0);
    expect(formatEvalTable(res.rows).split("\n")).toHaveLength(5);
    expect(res.optimum).toBeNull(); // A's KL is past log 16, the most a tilt of 16 samples can have
  });

  it("puts A beside the KL-optimal policy at A's KL", async () => {
    const store = tempStore();
    const tokenizer = toyTokenizer();
    await saveToySft(store, "b", tokenizer, { steps: 40 });
    await saveToySft(store, "a", tokenizer, { steps: 30 }); // b 10 steps earlier: close to b
    await saveToyCheckpoint(store, "rm", tokenizer, { kind: "reward", seed: 5 });
    const prompts = toyDemos(16, 9).map((d) => d.prompt);
    const res = await evaluatePolicies({ store, policyId: "a", baselineId: "b", rewardId: "rm", prompts, config: { maxNewTokens: 8 } });
    const [a, b] = res.rows;
    const o = res.optimum!;
    expect(o.kl).toBe(a.klToBaseline);
    expect(o.kl).toBeGreaterThan(0);
    expect(o.kl).toBeLessThan(Math.log(16));
    expect(o.samplesPerPrompt).toBe(16);
    expect(o.meanScore).toBeGreaterThan(o.poolMeanScore); // tilted toward the higher scores
    expect(o.meanScore).toBeLessThan(res.rows[3].meanScore); // best-of-16 from a pool of 16 is each prompt's top: the tilt's limit
    expect(o.shareOfGain).toBeCloseTo((a.meanScore - b.meanScore) / (o.meanScore - o.poolMeanScore), 12);
    expect(res.table.split("\n").at(-1)).toBe(
      `KL-optimal policy at A's KL (${o.kl.toFixed(3)}), from 16 samples of B per prompt: mean score ${o.meanScore.toFixed(3)} against ${o.poolMeanScore.toFixed(3)} for those samples; A has ${(100 * o.shareOfGain).toFixed(0)}% of its gain over B`,
    );
  });

  it("names the pool's own mean beside the optimum's score, which the share is measured from", () => {
    // An 8-prompt eval: B's row 0.217, A's 0.229, the optimum 0.230, but its pool of B's samples
    // 0.063. Without the pool's mean, "A has 7% of its gain" read as a wrong figure.
    const line = formatOptimum({ kl: 0.0734, meanScore: 0.2301, beta: 1.08, samplesPerPrompt: 2, poolMeanScore: 0.0633, shareOfGain: 0.0691 });
    expect(line).toBe("KL-optimal policy at A's KL (0.073), from 2 samples of B per prompt: mean score 0.230 against 0.063 for those samples; A has 7% of its gain over B");
  });

  it("refuses a bestOfN entry it used to drop without a word, before it loads a model, in startRun's words", async () => {
    // The store holds no checkpoint: loading one would fail with another message.
    const run = (bestOfN: string[]) => evaluatePolicies({ store: tempStore(), policyId: "a", baselineId: "b", rewardId: "rm", prompts: ["p"], config: { bestOfN } });
    await expect(run(["4", "1"])).rejects.toThrow('bestOfN entry "1" must be a whole number of at least 2 (best of n samples from the baseline); give counts such as 4 and 16, or none for no best-of-n lines');
    await expect(run(["x"])).rejects.toThrow(/^bestOfN entry "x" must be a whole number/);
  });

  it("counts wins over every pair of a prompt's samples, ties half, then averages over prompts", () => {
    // prompt 1: 1 beats nothing, 3 beats both 2s -> 2 of 4; prompt 2: 2 ties 2 and beats 1 -> 1.5 of 2
    expect(pairedWinRate([[1, 3], [2]], [[2, 2], [2, 1]])).toBeCloseTo((0.5 + 0.75) / 2, 12);
    expect(pairedWinRate([[0.3, -1, 2]], [[0.3, -1, 2]])).toBe(0.5); // a line against itself
  });

  it("picks the best of each disjoint group of n within each prompt's samples", () => {
    const scores = [1, 5, 2, 0, 3, 3, 9, 1, /* prompt 2 */ 4, 4, 0, 7, 1, 1, 1, 1];
    expect(bestOfGroups(scores, 8, 4)).toEqual([[1, 6], [11, 12]]); // ties keep the first
    expect(bestOfGroups(scores, 8, 8)).toEqual([[6], [11]]);
    expect(bestOfGroups(scores, 8, 3)).toEqual([[1, 4], [8, 11]]); // 2 groups of 3; the last 2 samples unused
  });

  it("tilts a pool toward its high scores: score and KL to the pool, by hand", () => {
    const p1 = Math.E / (1 + Math.E); // exp(1 / 1) against exp(0 / 1)
    const t = tiltedPool([[0, 1]], 1);
    expect(t.meanScore).toBeCloseTo(p1, 12);
    expect(t.kl).toBeCloseTo((1 - p1) * Math.log(2 * (1 - p1)) + p1 * Math.log(2 * p1), 12);
    expect(tiltedPool([[0, 1], [5, 5]], 1).meanScore).toBeCloseTo((p1 + 5) / 2, 12); // a flat pool stays put: KL 0
    expect(tiltedPool([[0, 1], [5, 5]], 1).kl).toBeCloseTo(t.kl / 2, 12);
  });

  it("finds the tilt with a given KL", () => {
    const pools = [[0.3, -1, 2, 0.5], [1, 1.5, -0.2, 0]];
    const target = tiltedPool(pools, 0.7);
    const found = tiltAtKl(pools, target.kl);
    expect(found.beta).toBeCloseTo(0.7, 6);
    expect(found.meanScore).toBeCloseTo(target.meanScore, 9);
    expect(() => tiltAtKl(pools, Math.log(4))).toThrow(/between 0 and 1\.386/); // only the argmax has KL log m
    // Tied top scores: the limit is uniform over the ties, KL log(4 / 2) for the second pool
    expect(mostTiltKl([[0.3, -1, 2, 0.5], [1.5, 1.5, -0.2, 0]])).toBeCloseTo((Math.log(4) + Math.log(2)) / 2, 12);
    expect(() => tiltAtKl([[1.5, 1.5, -0.2, 0]], 0.8)).toThrow(/between 0 and 0\.693/);
  });

  it("scores best-of-n on a pool drawn with replacement, by hand", () => {
    // ascending 1, 2, 3: best of 2 draws is 1 w.p. 1/9, 2 w.p. 3/9, 3 w.p. 5/9
    const bo2 = bestOfNOnPool([[3, 1, 2]], 2);
    expect(bo2.meanScore).toBeCloseTo(22 / 9, 12);
    expect(bo2.kl).toBeCloseTo((1 / 9) * Math.log(1 / 3) + (5 / 9) * Math.log(5 / 3), 12);
  });

  it("puts best-of-4 just below the optimum at its KL for a Gaussian reward", () => {
    const rng = createRng(3);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const pool = [Array.from({ length: 4000 }, normal)];
    const base = pool[0].reduce((s, x) => s + x, 0) / 4000;
    const bo4 = bestOfNOnPool(pool, 4);
    expect(bo4.kl).toBeCloseTo(Math.log(4) - 3 / 4, 2); // the analytic best-of-n KL
    expect(bo4.meanScore - base).toBeCloseTo(1.029, 1); // E max of 4 standard normals
    // the optimum gains sigma sqrt(2 KL) = 1.128 at that KL
    expect(tiltAtKl(pool, bo4.kl).meanScore - base).toBeCloseTo(Math.sqrt(2 * bo4.kl), 1);
  });
});
