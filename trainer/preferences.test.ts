import { describe, expect, it } from "vitest";
import { kwiseBatches, parsePreferenceJsonl, promptKey, splitByPrompt, type PreferenceRow } from "./preferences";

const rows = (n: number, perPrompt: number): PreferenceRow[] =>
  Array.from({ length: n * perPrompt }, (_, i) => ({ prompt: `prompt ${Math.floor(i / perPrompt)}`, chosen: `c${i}`, rejected: `r${i}` }));

describe("preference data", () => {
  it("reads TRL rows, including conversational ones, and refuses bad rows with the line number", () => {
    const text = [
      JSON.stringify({ prompt: "hi", chosen: "a", rejected: "b", margin: 2 }),
      "",
      JSON.stringify({ prompt: [{ role: "user", content: "q" }], chosen: [{ role: "user", content: "q" }, { role: "assistant", content: "good" }], rejected: [{ role: "assistant", content: "bad" }], weight: 0.5, tie: true, prompt_id: "p1" }),
    ].join("\n");
    expect(parsePreferenceJsonl(text)).toEqual([
      { prompt: "hi", chosen: "a", rejected: "b", margin: 2 },
      { promptId: "p1", prompt: [{ role: "user", content: "q" }], chosen: "good", rejected: "bad", weight: 0.5, tie: true },
    ]);
    expect(() => parsePreferenceJsonl('{"prompt":"x","chosen":"a"}\n', "f.jsonl")).toThrow(/f.jsonl:1: "chosen" and "rejected"/);
    expect(() => parsePreferenceJsonl('{"prompt":"x","chosen":"a","rejected":"b","margin":"big"}')).toThrow(/"margin" must be a number/);
  });

  it("splits by prompt: no prompt on both sides, deterministic, about the asked share", () => {
    const data = rows(400, 3);
    const { train, val } = splitByPrompt(data, 0.2);
    const trainKeys = new Set(train.map(promptKey));
    expect(val.some((r) => trainKeys.has(promptKey(r)))).toBe(false);
    expect(train.length + val.length).toBe(data.length);
    expect(new Set(val.map(promptKey)).size).toBeGreaterThan(50);
    expect(new Set(val.map(promptKey)).size).toBeLessThan(110);
    expect(splitByPrompt([...data].reverse(), 0.2).val.map((r) => r.chosen).sort()).toEqual(val.map((r) => r.chosen).sort());
    // a prompt stays on its side when other data is added
    const grown = splitByPrompt([...data, ...rows(600, 1).slice(400)], 0.2);
    for (const r of val) expect(grown.val).toContainEqual(r);
  });

  it("splits by the prompt's text: rows with database ids split as their TRL export does, and one text never lands on both sides", () => {
    const data = rows(200, 2);
    // A snapshot's rows carry the database's prompt ids, fresh on every import; the export has none.
    const withIds = data.map((r, i) => ({ ...r, promptId: `id-${i}` }));
    const chosen = (side: PreferenceRow[]) => side.map((r) => r.chosen).sort();
    expect(chosen(splitByPrompt(withIds, 0.2).val)).toEqual(chosen(splitByPrompt(data, 0.2).val));
    // Each pair has its own id here, yet both pairs of a text stay on one side.
    const { train, val } = splitByPrompt(withIds, 0.2);
    const trainTexts = new Set(train.map((r) => r.prompt));
    expect(val.length).toBeGreaterThan(0);
    expect(val.some((r) => trainTexts.has(r.prompt))).toBe(false);
  });

  it("never leaves validation empty with two or more prompts", () => {
    const { train, val } = splitByPrompt(rows(2, 2), 0.01);
    expect(val.length).toBe(2);
    expect(train.length).toBe(2);
  });

  it("keeps every pair of a prompt in one batch (K-wise)", () => {
    const data = [...rows(10, 3), ...rows(1, 6).map((r) => ({ ...r, prompt: "big" }))];
    const batches = kwiseBatches(data, 7, () => 0.3);
    expect(batches.flat().length).toBe(data.length);
    for (const b of batches) {
      for (const key of new Set(b.map(promptKey))) expect(b.filter((r) => promptKey(r) === key).length).toBe(data.filter((r) => promptKey(r) === key).length);
      expect(b.length).toBeLessThanOrEqual(7);
    }
  });
});
