import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { checkRunConfig } from "./config-catalog";
import { generatePairsConfigProblems } from "./config-rules";

/** generate-pairs' options as resolved with their defaults (generatePairsOptions), then `over`. */
const resolved = (over: Record<string, unknown>) => ({ prompts: 50, k: 2, temperature: 0.9, topP: 0.95, maxNewTokens: 48, seed: 1, batchSize: 16, select: "all", maxPairs: 0, campaignId: "c", ...over });

describe("generate-pairs' rules across keys", () => {
  it("passes the defaults and a complete active selection", () => {
    expect(generatePairsConfigProblems(resolved({}))).toEqual([]);
    expect(generatePairsConfigProblems(resolved({ select: "uncertain", maxPairs: 300, reward: "reward-ab12cd34" }))).toEqual([]);
    expect(generatePairsConfigProblems(resolved({ k: 1, baseline: "demo-sft" }))).toEqual([]);
  });

  it("names each broken rule, every one of them at once", () => {
    expect(generatePairsConfigProblems(resolved({ select: "uncertain", maxPairs: 300 }))).toEqual(['config.reward: select "uncertain" needs config.reward (a reward checkpoint)']);
    // "" is not given, as check-inputs reads a store key.
    expect(generatePairsConfigProblems(resolved({ select: "uncertain", reward: "" }))).toEqual([
      'config.reward: select "uncertain" needs config.reward (a reward checkpoint)',
      'config.maxPairs: select "uncertain" needs config.maxPairs (how many pairs to keep)',
    ]);
    expect(generatePairsConfigProblems(resolved({ maxPairs: 5, reward: "rm" }))).toEqual(['config.maxPairs: maxPairs applies to select "uncertain"']);
    expect(generatePairsConfigProblems(resolved({ k: 1 }))).toEqual([
      "config.k: k 1 makes no pairs without config.baseline (each pair is two of the checkpoint's answers); set k to 2 or more, or give config.baseline",
    ]);
  });

  it("is what checkRunConfig refuses a new run's config with, defaults filled in from the catalog", () => {
    const refusal = (config: Record<string, unknown>) => {
      try {
        checkRunConfig("generate-pairs", config);
        return "accepted";
      } catch (err) {
        return err instanceof AppError ? `${err.code} ${err.message}` : err;
      }
    };
    expect(refusal({ campaignId: "c", select: "uncertain" })).toBe(
      'bad_request:config config.reward: select "uncertain" needs config.reward (a reward checkpoint); config.maxPairs: select "uncertain" needs config.maxPairs (how many pairs to keep)',
    );
    expect(refusal({ campaignId: "c", k: 1, baseline: "demo-sft" })).toBe("accepted");
    // An unknown key is named first: the rules read resolved options.
    expect(refusal({ campaignId: "c", select: "uncertain", maxPair: 3 })).toMatch(/^bad_request:config config: unknown option "maxPair"/);
  });
});
