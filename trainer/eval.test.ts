import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { evaluatePolicies, formatEvalTable } from "./eval";
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
    expect(formatEvalTable(res.rows).split("\n")).toHaveLength(5);
  });
});
