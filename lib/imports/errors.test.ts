import { describe, expect, it } from "vitest";
import { describeRowGroup, MAX_REPORTED_ERRORS, RefusedLines } from "./errors";

const WHY = "(a key this close to one Pairwise reads is refused rather than ignored, so its values are not dropped)";

describe("describeRowGroup", () => {
  it("says once for the file which key the rows share and what to call it", () => {
    const near = [{ key: "gold_choice", meant: "gold" }];
    expect(describeRowGroup({ message: "", near }, { rows: 5000, total: 5000, lines: [1, 2, 3] })).toBe(`Every row has \`gold_choice\`: did you mean \`gold\`? Rename the key in the file ${WHY}.`);
    expect(describeRowGroup({ message: "", near }, { rows: 2, total: 4, lines: [2, 4] })).toBe(`2 of 4 rows (lines 2, 4) have \`gold_choice\`: did you mean \`gold\`? Rename the key in the file ${WHY}.`);
    // Message paths lose their index: the rows misspell it in different messages.
    const twoKeys = [
      { key: "Prompt", meant: "prompt" },
      { key: "prompt[3].Role", meant: "prompt[3].role" },
    ];
    expect(describeRowGroup({ message: "", near: twoKeys }, { rows: 12, total: 40, lines: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] })).toBe(
      `12 of 40 rows (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, …) have \`Prompt\` (did you mean \`prompt\`?), \`prompt[].Role\` (did you mean \`prompt[].role\`?). Rename the keys in the file ${WHY}.`,
    );
  });

  it("gives any other reason as its message after the rows it stands for", () => {
    expect(describeRowGroup({ message: "response_b: is required" }, { rows: 3, total: 3, lines: [1, 2, 3] })).toBe("Every row: response_b: is required");
    expect(describeRowGroup({ message: "response_b: is required" }, { rows: 11, total: 12, lines: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11] })).toBe(
      "11 of 12 rows (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …): response_b: is required",
    );
  });
});

describe("RefusedLines", () => {
  it("groups lines by look-alike keys whatever message they sit in, else by the exact message, in the order of first lines", () => {
    const refused = new RefusedLines();
    refused.add({ line: 2, error: "Unknown key `prompt[0].Role` …", near: [{ key: "prompt[0].Role", meant: "prompt[0].role" }] });
    refused.add({ line: 3, error: "response_b: is required" });
    refused.add({ line: 4, error: "Unknown key `prompt[2].Role` …", near: [{ key: "prompt[2].Role", meant: "prompt[2].role" }] });
    refused.add({ line: 5, error: "response_b: is required." });
    expect(refused.count).toBe(4);
    expect(refused.errors(6)).toEqual([
      { line: 2, rows: 2, message: `2 of 6 rows (lines 2, 4) have \`prompt[].Role\`: did you mean \`prompt[].role\`? Rename the key in the file ${WHY}.` },
      { line: 3, message: "response_b: is required" },
      { line: 5, message: "response_b: is required." },
    ]);
  });

  it("reports the first 100 reasons and counts every line", () => {
    const refused = new RefusedLines();
    for (let line = 1; line <= 150; line++) refused.add({ line, error: `reason ${line}` });
    refused.add({ line: 151, error: "reason 150" });
    refused.add({ line: 152, error: "reason 1" });
    const errors = refused.errors(152);
    expect(refused.count).toBe(152);
    expect(errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(errors[0]).toEqual({ line: 1, rows: 2, message: "2 of 152 rows (lines 1, 152): reason 1" });
    expect(errors.at(-1)).toEqual({ line: 100, message: "reason 100" });
  });
});
