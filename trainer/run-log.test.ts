import pino from "pino";
import { describe, expect, it } from "vitest";
import type { RunLogLine } from "@/lib/runs/logs";
import { createRunLogWriter, formatLogLine, isLoggedStep, stepLine } from "./run-log";

describe("run log lines", () => {
  it("formats fields as key=value and a step's metrics losses first", () => {
    expect(formatLogLine("sampling", { prompts: 3, checkpoint: "demo-sft", baseline: null })).toBe("sampling prompts=3 checkpoint=demo-sft baseline=null");
    expect(stepLine(20, 84, { "reward/accuracy": 0.5, "loss/train": 0.693147, "tokens/s": 12345.6, bad: Number.NaN })).toBe(
      "step 20/84 loss/train 0.6931 reward/accuracy 0.5000 tokens/s 1.235e+4",
    );
  });

  it("logs about 20 step lines per run and always the last step", () => {
    const logged = Array.from({ length: 84 }, (_, i) => i + 1).filter((s) => isLoggedStep(s, 84));
    expect(logged).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 84]);
    expect(Array.from({ length: 3 }, (_, i) => i + 1).filter((s) => isLoggedStep(s, 3))).toEqual([1, 2, 3]);
  });
});

describe("run log writer", () => {
  const logger = pino({ level: "silent" });

  it("batches lines, writes batches one at a time in order, and drops a failed batch without throwing", async () => {
    const written: RunLogLine[][] = [];
    let calls = 0;
    const append = async ({ lines }: { runId: string; lines: RunLogLine[] }) => {
      calls++;
      await new Promise((r) => setTimeout(r, calls === 1 ? 30 : 0)); // the first write is slow
      if (lines[0]!.message === "fails") throw new Error("db down");
      written.push(lines);
    };
    const tail = createRunLogWriter({ runId: "r", append, logger, flushMs: 10_000 });
    tail.push("info", "one");
    tail.push("warn", "two");
    void tail.flush();
    tail.push("error", "fails");
    void tail.flush();
    tail.push("info", "three");
    await tail.flush();
    expect(written.map((b) => b.map((l) => `${l.level}:${l.message}`))).toEqual([["info:one", "warn:two"], ["info:three"]]);
  });

  it("writes on its timer without an explicit flush", async () => {
    const written: string[] = [];
    const tail = createRunLogWriter({ runId: "r", append: async ({ lines }) => void written.push(...lines.map((l) => l.message)), logger, flushMs: 20 });
    tail.push("info", "later");
    expect(written).toEqual([]);
    await new Promise((r) => setTimeout(r, 80));
    expect(written).toEqual(["later"]);
  });
});
