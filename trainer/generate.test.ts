import { describe, expect, it } from "vitest";
import { sampleToken } from "./generate";
import { createRng } from "./rng";

const logitsOf = (probs: number[]) => Float32Array.from(probs, (p) => (p > 0 ? Math.log(p) : -Infinity));

/** Share of `draws` samples that landed on each token. */
function frequencies(logits: Float32Array, opts: { temperature: number; topK: number; topP: number }, draws: number, seed = 1): number[] {
  const rng = createRng(seed);
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < draws; i++) counts[sampleToken(logits, opts, rng).token]++;
  return counts.map((c) => c / draws);
}

/** The kept set by the definition: sort the whole vocabulary, cut at k, then at cumulative p. */
function keptByDefinition(probs: number[], topK: number, topP: number): Set<number> {
  let order = probs.map((_, i) => i).sort((a, b) => probs[b] - probs[a]);
  if (topK > 0) order = order.slice(0, topK);
  const kept = new Set<number>();
  let acc = 0;
  for (const t of order) {
    kept.add(t);
    acc += probs[t];
    if (acc >= topP) break;
  }
  return kept;
}

describe("sampleToken", () => {
  const probs = [0.1, 0.5, 0.15, 0.25];
  const N = 40_000; // one standard error of a share is at most 0.0025

  it("draws each token as often as its probability when nothing is filtered, and returns its log-probability", () => {
    const freq = frequencies(logitsOf(probs), { temperature: 1, topK: 0, topP: 1 }, N);
    freq.forEach((f, i) => expect(Math.abs(f - probs[i])).toBeLessThan(0.01));
    const { token, logprob } = sampleToken(logitsOf(probs), { temperature: 1, topK: 0, topP: 1 }, createRng(3));
    expect(logprob).toBeCloseTo(Math.log(probs[token]), 6);
  });

  it("sharpens by the temperature: at 0.5 each probability is squared and renormalised", () => {
    const squared = probs.map((p) => p * p);
    const z = squared.reduce((a, b) => a + b, 0);
    const freq = frequencies(logitsOf(probs), { temperature: 0.5, topK: 0, topP: 1 }, N);
    freq.forEach((f, i) => expect(Math.abs(f - squared[i] / z)).toBeLessThan(0.01));
    const { token, logprob } = sampleToken(logitsOf(probs), { temperature: 0.5, topK: 0, topP: 1 }, createRng(3));
    expect(logprob).toBeCloseTo(Math.log(squared[token] / z), 6);
  });

  it("never draws a token of probability zero", () => {
    const freq = frequencies(logitsOf([0, 1, 0]), { temperature: 1, topK: 0, topP: 1 }, 1000);
    expect(freq).toEqual([0, 1, 0]);
  });

  it("keeps the k most likely under top-k, renormalised, with their unfiltered log-probabilities", () => {
    const freq = frequencies(logitsOf(probs), { temperature: 1, topK: 2, topP: 1 }, N);
    expect(freq[0]).toBe(0);
    expect(freq[2]).toBe(0);
    expect(Math.abs(freq[1] - 0.5 / 0.75)).toBeLessThan(0.01);
    const { token, logprob } = sampleToken(logitsOf(probs), { temperature: 1, topK: 2, topP: 1 }, createRng(3));
    expect(logprob).toBeCloseTo(Math.log(probs[token]), 6);
  });

  it("keeps the smallest most-likely set that reaches p under top-p", () => {
    // sorted: 0.5, 0.25 (0.75 >= 0.7), so tokens 1 and 3
    const freq = frequencies(logitsOf(probs), { temperature: 1, topK: 0, topP: 0.7 }, N);
    expect(freq[0]).toBe(0);
    expect(freq[2]).toBe(0);
    expect(Math.abs(freq[3] - 0.25 / 0.75)).toBeLessThan(0.01);
  });

  it("keeps exactly the set the definition keeps on a peaked 2,048-token distribution", () => {
    const rng = createRng(11);
    for (const [topK, topP] of [[0, 0.9], [0, 0.5], [5, 0.95], [50, 1]]) {
      // a few likely tokens over a long tail, like a language model's next-token distribution
      const raw = Array.from({ length: 2048 }, (_, i) => (i % 97 === 3 ? 5 + rng.next() * 20 : rng.next() * 0.05));
      const total = raw.reduce((a, b) => a + b, 0);
      const p = raw.map((x) => x / total);
      const expected = keptByDefinition(p, topK, topP);
      const logits = logitsOf(p);
      const drawn = new Set<number>();
      const draws = createRng(topK * 100 + topP * 10);
      for (let i = 0; i < 2000; i++) drawn.add(sampleToken(logits, { temperature: 1, topK, topP }, draws).token);
      expect([...drawn].every((t) => expected.has(t))).toBe(true);
      if (expected.size <= 25) expect(drawn.size).toBe(expected.size); // each kept token is drawn at least once
    }
  });

  it("refuses logits that are NaN or all -Infinity instead of drawing from them", () => {
    for (const bad of [[0.1, NaN, 0.2], [-Infinity, -Infinity]]) {
      for (const topP of [1, 0.9]) expect(() => sampleToken(Float32Array.from(bad), { temperature: 1, topK: 0, topP }, createRng(1))).toThrow(/not finite/);
    }
  });

  it("takes the first most likely token when greedy", () => {
    expect(sampleToken(logitsOf([0.2, 0.4, 0.4]), { temperature: 0, topK: 0, topP: 1 }, createRng(1)).token).toBe(1);
  });
});
