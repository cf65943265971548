import { describe, expect, it } from "vitest";
import { checkRowKeys, describeIgnoredKey, editDistance, lookAlikes, messageKeys, responseKeys, rowKeys } from "./keys";
import { multiRowSchema, pairRowSchema, trlRowSchema } from "./schema";

const pair = { prompt: "p", response_a: "a", response_b: "b" };

describe("checkRowKeys", () => {
  it("knows the keys the row schemas read, no more and no fewer", () => {
    expect([...rowKeys.pair].sort()).toEqual(Object.keys(pairRowSchema.shape).sort());
    expect([...rowKeys.multi].sort()).toEqual(Object.keys(multiRowSchema.shape).sort());
    expect([...rowKeys.trl].sort()).toEqual(Object.keys(trlRowSchema.shape).sort());
    const responseObject = pairRowSchema.shape.response_a.options[1];
    expect([...responseKeys].sort()).toEqual(Object.keys(responseObject.shape).sort());
    const message = pairRowSchema.shape.prompt.options[1].element;
    expect([...messageKeys].sort()).toEqual(Object.keys(message.shape).sort());
  });

  it("refuses a look-alike of a key the row lacks, naming the key to use", () => {
    for (const [key, meant] of [
      ["gold_choice", "gold"],
      ["Gold", "gold"],
      ["is_gold", "gold"],
      ["goldLabel", "gold"],
      ["golds", "gold"],
      ["Meta-Data", "metadata"],
    ]) {
      const check = checkRowKeys({ ...pair, [key!]: "a" }, "pair");
      expect(check.refused, key).toContain(`\`${key}\` (did you mean \`${meant}\`?)`);
      expect(check.ignored).toEqual([]);
    }
    // A misspelt required key is named too, rather than left to "prompt: is required".
    expect(checkRowKeys({ Prompt: "p", response_a: "a", response_b: "b" }, "pair").refused).toContain("`Prompt` (did you mean `prompt`?)");
    expect(checkRowKeys({ prompt: "p", response_a: "a", "response-b": "b" }, "pair").refused).toContain("`response-b` (did you mean `response_b`?)");
    expect(checkRowKeys({ prompt: "p", chosen: "a", rejectd: "b" }, "trl").refused).toContain("`rejectd` (did you mean `rejected`?)");
  });

  it("refuses a look-alike inside a response object, with its path", () => {
    const pairRow = checkRowKeys({ ...pair, response_b: { text: "b", Source: "sft-v2" } }, "pair");
    expect(pairRow.refused).toContain("`response_b.Source` (did you mean `response_b.source`?)");
    // Five responses with the same key: named once.
    const multi = checkRowKeys({ prompt: "p", responses: Array.from({ length: 5 }, (_, i) => ({ text: `r${i}`, sources: "x" })) }, "multi");
    expect(multi.refused).toBe(
      "Unknown key `responses[].sources` (did you mean `responses[].source`?): a key this close to one Pairwise reads is refused rather than ignored, so its values are not dropped; rename it, or remove it.",
    );
  });

  it("ignores, and reports, keys unlike any known one or whose look-alike is in the row", () => {
    // UltraFeedback's columns beside TRL's, TRL's own `margin`, and ids.
    const trl = checkRowKeys({ prompt: "p", chosen: "a", rejected: "b", prompt_id: "x1", score_chosen: 8, score_rejected: 3, margin: 2, source: "hh" }, "trl");
    expect(trl.refused).toBeNull();
    expect(trl.ignored).toEqual(["prompt_id", "score_chosen", "score_rejected", "margin", "source"].map((key) => ({ key, suggestion: null })));
    // `gold` is there, so `Gold` beside it is an extra column, named with the key it is spelt like.
    expect(checkRowKeys({ ...pair, gold: "a", Gold: "b" }, "pair")).toEqual({ refused: null, near: [], ignored: [{ key: "Gold", suggestion: "gold" }] });
    // A response's own extra fields: `score` is not `source` misspelt (edit distance 3).
    expect(checkRowKeys({ ...pair, response_a: { text: "a", score: 0.7, model: "m" } }, "pair")).toEqual({
      refused: null,
      near: [],
      ignored: [
        { key: "response_a.score", suggestion: null },
        { key: "response_a.model", suggestion: null },
      ],
    });
    expect(checkRowKeys(pair, "pair")).toEqual({ refused: null, near: [], ignored: [] });
    // Short keys are allowed one typo only: `good` would be `gold`'s, `goal` is not.
    expect(checkRowKeys({ ...pair, goal: "x", id: 1 }, "pair").refused).toBeNull();
  });
});

describe("checkRowKeys in chat messages", () => {
  const chat = (...messages: Record<string, unknown>[]) => ({ prompt: messages, response_a: "a", response_b: "b" });

  it("refuses a message's look-alike key, naming the message by its index", () => {
    const check = checkRowKeys(chat({ role: "system", content: "Be brief." }, { Role: "user", contnet: "hi" }), "pair");
    expect(check.refused).toBe(
      "Unknown keys `prompt[1].Role` (did you mean `prompt[1].role`?), `prompt[1].contnet` (did you mean `prompt[1].content`?): a key this close to one Pairwise reads is refused rather than ignored, so its values are not dropped; rename it, or remove it.",
    );
    expect(check.near).toEqual([
      { key: "prompt[1].Role", meant: "prompt[1].role" },
      { key: "prompt[1].contnet", meant: "prompt[1].content" },
    ]);
    // `text` is what other chat formats call the content; `from`, the role (ShareGPT).
    expect(checkRowKeys(chat({ role: "user", text: "hi" }), "pair").refused).toContain("`prompt[0].text` (did you mean `prompt[0].content`?)");
    expect(checkRowKeys(chat({ from: "human", content: "hi" }), "pair").refused).toContain("`prompt[0].from` (did you mean `prompt[0].role`?)");
    // The same misspelling in every message is named once, at the first.
    const every = checkRowKeys(chat({ role: "user", Content: "a" }, { role: "assistant", Content: "b" }, { role: "user", Content: "c" }), "pair");
    expect(every.near).toEqual([{ key: "prompt[0].Content", meant: "prompt[0].content" }]);
  });

  it("ignores, and reports once, an extra key of the messages, and checks TRL's conversational answers too", () => {
    expect(checkRowKeys(chat({ role: "user", content: "hi", name: "ann" }, { role: "assistant", content: "yo", name: "bot" }), "pair")).toEqual({
      refused: null,
      near: [],
      ignored: [{ key: "prompt[].name", suggestion: null }],
    });
    const trl = { prompt: [{ role: "user", content: "hi" }], chosen: [{ role: "assistant", content: "hello" }], rejected: [{ role: "assistant", content: "go", weight: 1 }] };
    expect(checkRowKeys(trl, "trl")).toEqual({ refused: null, near: [], ignored: [{ key: "rejected[].weight", suggestion: null }] });
    expect(checkRowKeys({ ...trl, chosen: [{ role: "assistant", Content: "hello" }] }, "trl").refused).toContain("`chosen[0].Content` (did you mean `chosen[0].content`?)");
    // A key named like an object's own property is an extra key, not a name looked up on the alias table's prototype.
    expect(checkRowKeys(chat({ role: "user", content: "hi", constructor: 1, toString: 2 }), "pair")).toMatchObject({ refused: null, ignored: [{ key: "prompt[].constructor" }, { key: "prompt[].toString" }] });
  });
});

describe("lookAlikes", () => {
  it("names the known keys of any shape that a row's keys resemble", () => {
    expect(lookAlikes({ Prompt: "p", "Response A": "a", "response-b": "b", id: 3 })).toEqual([
      { key: "Prompt", meant: "prompt" },
      { key: "Response A", meant: "response_a" },
      { key: "response-b", meant: "response_b" },
    ]);
    expect(lookAlikes({ prompt: "p", chosen_response: "a", rejected_response: "b" })).toEqual([
      { key: "chosen_response", meant: "chosen" },
      { key: "rejected_response", meant: "rejected" },
    ]);
  });
});

describe("editDistance and describeIgnoredKey", () => {
  it("counts insertions, deletions, substitutions and swaps", () => {
    expect(editDistance("gold", "gold")).toBe(0);
    expect(editDistance("gold", "golds")).toBe(1);
    expect(editDistance("score", "source")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    // A swap of neighbours is one typo, as a person makes it.
    expect(editDistance("contnet", "content")).toBe(1);
    expect(editDistance("ab", "ba")).toBe(1);
    expect(editDistance("abc", "ca")).toBe(3);
  });

  it("says how many rows had the key and where it first was", () => {
    expect(describeIgnoredKey({ key: "source", rows: 3, firstLine: 2, suggestion: null })).toBe("`source`: 3 rows, the first on line 2");
    expect(describeIgnoredKey({ key: "Gold", rows: 1, firstLine: 7, suggestion: "gold" })).toBe("`Gold`: 1 row, line 7 (did you mean `gold`?)");
  });
});
