import { describe, expect, it } from "vitest";
import { demoHeadwords } from "@/trainer/data/demo-headwords";
import { demoEvalPrompts, spreadEvenly } from "./eval-prompts";

describe("spreadEvenly", () => {
  const items = Array.from({ length: 353 }, (_, i) => i);

  it("takes every k-th item from the first, k = floor(length / count), and stops at count", () => {
    const picked = spreadEvenly(items, 100);
    expect(picked).toHaveLength(100);
    expect(picked.slice(0, 4)).toEqual([0, 3, 6, 9]);
    expect(picked.at(-1)).toBe(297);
  });

  it("gives none for a count of 0 and all for a count of at least the length", () => {
    expect(spreadEvenly(items, 0)).toEqual([]);
    expect(spreadEvenly(items, 353)).toEqual(items);
    expect(spreadEvenly(items, 1000)).toEqual(items);
  });

  it("spreads bench:ppo-demo's prompts over all 377 held-out headwords, the 24 the demo campaign asks about among them", () => {
    const all = demoEvalPrompts(377);
    expect(all).toHaveLength(377);
    expect(demoHeadwords.filter((w) => all.includes(`Define: ${w}`))).toHaveLength(24);
    // every 3rd: dpo-small's --eval, which trains on those 24, spreads over the other 353 instead
    expect(demoEvalPrompts(100)).toEqual(all.filter((_, i) => i % 3 === 0).slice(0, 100));
  });
});
