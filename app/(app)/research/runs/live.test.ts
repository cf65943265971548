import { describe, expect, it } from "vitest";
import { showsMetricsCard } from "./live";

describe("showsMetricsCard", () => {
  it("leaves it out for a run without points whose kind writes none, or that holds an eval table; shows it otherwise", () => {
    for (const kind of ["eval", "score", "playground", "healthcheck"]) expect(showsMetricsCard({ kind, points: 0, hasTable: false }), kind).toBe(false);
    expect(showsMetricsCard({ kind: "ppo", points: 0, hasTable: true })).toBe(false);
    // A training run still waiting for its first step keeps the card ("Waiting for the first step…").
    for (const kind of ["reward", "dpo", "ppo", "pretrain", "sft", "generate-pairs"]) expect(showsMetricsCard({ kind, points: 0, hasTable: false }), kind).toBe(true);
    expect(showsMetricsCard({ kind: "eval", points: 3, hasTable: true })).toBe(true);
  });
});
