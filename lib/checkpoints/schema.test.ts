import { describe, expect, it } from "vitest";
import { readsScoreAtEndOfText } from "./schema";

describe("which reward checkpoints read their score at end-of-text", () => {
  it("one saved by an earlier release (its row has no scoreToken) or imported from OpenRLHF does; a current one does not", () => {
    expect(readsScoreAtEndOfText({ kind: "reward", config: {} })).toBe(true);
    expect(readsScoreAtEndOfText({ kind: "reward", config: { scoreToken: "end-of-text" } })).toBe(true);
    expect(readsScoreAtEndOfText({ kind: "reward", config: { scoreToken: "before-end-of-text" } })).toBe(false);
    expect(readsScoreAtEndOfText({ kind: "sft", config: {} })).toBe(false);
  });
});
