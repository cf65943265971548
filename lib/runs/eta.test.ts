import { describe, expect, it } from "vitest";
import type { RunProgress } from "@/db/schema";
import { estimateEta, formatEta, runProgressText } from "./eta";

const at = "2026-01-01T00:00:00.000Z";
const report = (p: Partial<RunProgress>): RunProgress => ({ done: 20, total: 100, firstDone: 10, elapsedMs: 20_000, at, ...p });
const seconds = (s: number) => new Date(Date.parse(at) + s * 1000);

describe("estimateEta", () => {
  it("is steps left times the time per step measured in this attempt", () => {
    // 10 steps timed in 20 s = 2 s/step; 80 steps left = 160 s, as of the report
    expect(estimateEta(report({}), seconds(0))).toEqual({ seconds: 160, secondsPerStep: 2 });
  });

  it("counts down between reports and never goes below zero", () => {
    expect(estimateEta(report({}), seconds(15))?.seconds).toBe(145);
    expect(estimateEta(report({}), seconds(500))?.seconds).toBe(0);
    // a report stamped after `now` (another host's clock) does not add time
    expect(estimateEta(report({}), seconds(-5))?.seconds).toBe(160);
  });

  it("ignores steps done before this attempt's first report (a resumed run)", () => {
    // resumed at step 90 of 100: 5 steps in 10 s = 2 s/step, 5 left = 10 s (not 95 steps' worth of rate)
    expect(estimateEta(report({ done: 95, firstDone: 90, elapsedMs: 10_000 }), seconds(0))).toEqual({ seconds: 10, secondsPerStep: 2 });
  });

  it("gives none without a planned total, when done, or too early", () => {
    expect(estimateEta(null, seconds(0))).toBeNull();
    expect(estimateEta(report({ total: 0 }), seconds(0))).toBeNull();
    expect(estimateEta(report({ done: 100 }), seconds(0))).toBeNull();
    expect(estimateEta(report({ done: 12, firstDone: 10 }), seconds(0))).toBeNull(); // 2 steps timed (< 3)
    expect(estimateEta(report({ elapsedMs: 4_999 }), seconds(0))).toBeNull(); // < 5 s timed
    expect(estimateEta(report({ done: 13, firstDone: 10, elapsedMs: 5_000 }), seconds(0))).toEqual({ seconds: (87 * 5) / 3, secondsPerStep: 5 / 3 });
  });

  it("ends with a time budget (PPO's maxMinutes) that runs out before the planned steps", () => {
    // 2 s/step, 80 steps planned (160 s), but 9 s of the budget left: the run stops after the
    // iteration that ends past it, 5 steps on (10 s), not after 80
    expect(estimateEta(report({ budgetMsLeft: 9_000 }), seconds(0))).toEqual({ seconds: 10, secondsPerStep: 2 });
    expect(estimateEta(report({ budgetMsLeft: 9_000 }), seconds(4))?.seconds).toBe(6);
    // spent at the report: the run stops after this iteration
    expect(estimateEta(report({ budgetMsLeft: -500 }), seconds(0))?.seconds).toBe(0);
    // a budget longer than the planned steps changes nothing
    expect(estimateEta(report({ budgetMsLeft: 600_000 }), seconds(0))?.seconds).toBe(160);
  });

  it("survives a malformed report time", () => {
    expect(estimateEta(report({ at: "not a time" }), seconds(0))?.seconds).toBe(160);
  });
});

describe("formatEta", () => {
  it("says the time left, rounded to seconds, minutes, then hours and minutes", () => {
    expect(formatEta(44.6)).toBe("about 45 s left");
    expect(formatEta(160)).toBe("about 3 min left");
    expect(formatEta(4800)).toBe("about 1 h 20 min left");
  });

  it("says almost done once the estimate has run out", () => {
    expect(formatEta(0)).toBe("almost done");
    expect(formatEta(0.4)).toBe("almost done");
  });
});

describe("runProgressText", () => {
  const running = (progress: { done: number; total: number } | null, eta: number | null, kind = "ppo") => ({ kind, status: "running" as const, progress, eta: eta === null ? null : { seconds: eta, secondsPerStep: 1 } });

  it("gives steps and the time left of a running run, estimating before there is an estimate", () => {
    expect(runProgressText(running({ done: 12, total: 84 }, 160))).toBe("12/84 steps · about 3 min left");
    expect(runProgressText(running({ done: 2, total: 84 }, null))).toBe("2/84 steps · estimating…");
    expect(runProgressText(running(null, null))).toBeNull();
    expect(runProgressText({ ...running({ done: 84, total: 84 }, null), status: "succeeded" })).toBeNull();
  });

  it("says a run whose every step is done is finishing, not estimating (an eval scoring what it sampled)", () => {
    expect(runProgressText(running({ done: 9048, total: 9048 }, null))).toBe("9048/9048 steps · finishing…");
  });

  it("counts an eval run's progress in the responses it has sampled, which is what it reports", () => {
    expect(runProgressText(running({ done: 8648, total: 9048 }, 4, "eval"))).toBe("8648/9048 responses · about 4 s left");
  });
});
