import { describe, expect, it } from "vitest";
import { keptTokens, sampleToken } from "./generate";
import { createRng } from "./rng";

const logitsOf = (probs: number[]) => Float32Array.from(probs, (p) => (p > 0 ? Math.log(p) : -Infinity));

/** Share of `draws` samples that landed on each token. */
function frequencies(logits: Float32Array, opts: { temperature: number; topK: number; topP: number }, draws: number, seed = 1): number[] {
  const rng = createRng(seed);
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < draws; i++) counts[sampleToken(logits, opts, rng).token]++;
  return counts.map((c) => c / draws);
}

/** The kept tokens by the definition: sort the whole vocabulary, cut at k, then at cumulative p. */
function keptByDefinition(probs: number[], topK: number, topP: number): number[] {
  let order = probs.map((_, i) => i).sort((a, b) => probs[b] - probs[a]);
  if (topK > 0) order = order.slice(0, topK);
  const kept: number[] = [];
  let acc = 0;
  for (const t of order) {
    kept.push(t);
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

  it("keeps exactly the tokens the definition keeps, in its order, on 2,048-token distributions", () => {
    const rng = createRng(11);
    const normalised = (raw: number[]) => {
      const total = raw.reduce((a, b) => a + b, 0);
      return raw.map((x) => x / total);
    };
    const distributions = {
      // a few likely tokens over a long tail
      peaked: normalised(Array.from({ length: 2048 }, (_, i) => (i % 97 === 3 ? 5 + rng.next() * 20 : rng.next() * 0.05))),
      // Zipf, shuffled: top-p 0.9 reaches deep into small probabilities, near the floor below which nothing is sorted
      zipf: normalised(Array.from({ length: 2048 }, (_, i) => 1 / ((((i * 761) % 2048) + 1) ** 1.05))),
    };
    for (const [name, p] of Object.entries(distributions)) {
      for (const [topK, topP] of [[0, 0.9], [0, 0.99], [0, 0.5], [5, 0.95], [50, 1], [400, 0.9]]) {
        expect(keptTokens(Float64Array.from(p), topK, topP), `${name} top-k ${topK} top-p ${topP}`).toEqual(keptByDefinition(p, topK, topP));
      }
    }
  });

  it("draws only kept tokens, each of them", () => {
    const p = [0.3, 0.02, 0.25, 0.2, 0.005, 0.225];
    const freq = frequencies(logitsOf(p), { temperature: 1, topK: 0, topP: 0.9 }, 20_000);
    // kept: 0.3, 0.25, 0.225, 0.2 (sum 0.975 >= 0.9 at the fourth)
    expect(freq.map((f) => f > 0)).toEqual([true, false, true, true, false, true]);
    expect(Math.abs(freq[0]! - 0.3 / 0.975)).toBeLessThan(0.015);
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
