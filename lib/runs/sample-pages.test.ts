import { describe, expect, it } from "vitest";
import { readNewSamples, type SamplePage } from "./sample-pages";
import type { RunSampleDto } from "./schema";

const sample = (iteration: number, position = 0): RunSampleDto => ({ iteration, position, prompt: "p", response: "r", score: 0, at: "2026-11-27T00:00:00.000Z" });

/** A server holding iterations 1..n with two samples each, answering `per` iterations per page. */
function server(n: number, per: number) {
  const asked: number[] = [];
  const page = async (after: number): Promise<SamplePage> => {
    asked.push(after);
    const iterations = Array.from({ length: n }, (_, i) => i + 1).filter((i) => i > after).slice(0, per);
    return { samples: iterations.flatMap((i) => [sample(i, 0), sample(i, 1)]), lastIteration: n || null };
  };
  return { page, asked };
}

describe("readNewSamples", () => {
  it("reads page after page until it holds the newest iteration", async () => {
    const { page, asked } = server(250, 100);
    const all = await readNewSamples([], page);
    expect(all).toHaveLength(500);
    expect(all.at(-1)).toMatchObject({ iteration: 250, position: 1 });
    expect(asked).toEqual([-1, 100, 200]);
  });

  it("asks only for what is newer than what it holds, once when nothing is", async () => {
    const { page, asked } = server(3, 100);
    const held = [sample(1), sample(1, 1), sample(2), sample(2, 1), sample(3), sample(3, 1)];
    expect(await readNewSamples(held, page)).toEqual(held);
    expect(asked).toEqual([3]);
    const empty = server(0, 100);
    expect(await readNewSamples([], empty.page)).toEqual([]);
    expect(empty.asked).toEqual([-1]);
  });

  it("stops at an empty page even if the newest iteration said more would come", async () => {
    let calls = 0;
    const all = await readNewSamples([], async () => (++calls === 1 ? { samples: [sample(1)], lastIteration: 9 } : { samples: [], lastIteration: 9 }));
    expect([all.length, calls]).toEqual([1, 2]);
  });
});
