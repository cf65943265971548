import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { bestOfGroups, evaluatePolicies, formatEvalTable, pairedWinRate } from "./eval";
import { formatExample } from "./prompt-format";
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
    const res = await evaluatePolicies({ store, policyId: "a", baselineId: "b", rewardId: "rm", prompts, texts: toyDemos(32, 10).map((d) => formatExample(d.prompt, d.response)), config: { maxNewTokens: 8 } });
    console.log(res.table);
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
});
