import { describe, expect, it } from "vitest";
import { describeGoldConflict } from "./gold-conflicts";

describe("describeGoldConflict", () => {
  it("names the kept row and reads a swapped row's answer in its order", () => {
    expect(describeGoldConflict({ line: 3, gold: "a", swapped: true, keptLine: 2, keptGold: "a" })).toBe("gold `a` (`b` in line 2's A/B order, which it swaps), where line 2 has `a`: line 2's pair is kept");
    expect(describeGoldConflict({ line: 9, gold: "b", swapped: false, keptLine: 8, keptGold: null })).toBe("gold `b`, where line 8 has none: line 8's pair is kept");
    // A tie reads the same in either order: nothing to translate.
    expect(describeGoldConflict({ line: 4, gold: "tie", swapped: true, keptLine: 1, keptGold: "a" })).toBe("gold `tie`, where line 1 has `a`: line 1's pair is kept");
    expect(describeGoldConflict({ line: 1, gold: "b", swapped: true, keptLine: null, keptGold: "b" })).toBe(
      "gold `b` (`a` in the stored pair's A/B order, which it swaps), where the stored pair has `b`: the stored pair is kept",
    );
  });
});
