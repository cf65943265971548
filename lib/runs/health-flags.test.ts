import { describe, expect, it } from "vitest";
import { runThroughTestWorker } from "@/lib/testing/worker";
import { runLogsAfter } from "./logs";
import { enqueueRun, getRun, raiseRunFlag, runDto } from "./queue";

const kind = () => `test-${Math.random().toString(36).slice(2)}`;
const flag = (name: string, iteration: number) => ({ flag: name, iteration, message: `${name} at ${iteration}.` });

describe("run health flags (real Postgres)", () => {
  it("keeps each flag name once, in the order raised, and serves them with the run", async () => {
    const run = await enqueueRun({ kind: kind() });
    expect((await runDto((await getRun({ runId: run.id }))!)).healthFlags).toEqual([]);
    expect(await raiseRunFlag({ runId: run.id, flag: flag("kl_high", 7) })).toBe(true);
    expect(await raiseRunFlag({ runId: run.id, flag: flag("repetition", 9) })).toBe(true);
    // raised again (a resumed attempt): the first stays
    expect(await raiseRunFlag({ runId: run.id, flag: flag("kl_high", 12) })).toBe(false);
    expect((await runDto((await getRun({ runId: run.id }))!)).healthFlags).toEqual([flag("kl_high", 7), flag("repetition", 9)]);
    expect(await raiseRunFlag({ runId: "00000000-0000-4000-8000-000000000000", flag: flag("kl_high", 1) })).toBe(false);
  });

  it("are stored while the run is still running, with one warning line each in its log", async () => {
    let seenMidRun: unknown[] = [];
    const run = await runThroughTestWorker(async (ctx) => {
      await ctx.raiseFlag(flag("too_few_steps", 0));
      await ctx.raiseFlag(flag("entropy_collapse", 4));
      await ctx.raiseFlag(flag("entropy_collapse", 5));
      const mid = (await getRun({ runId: ctx.run.id }))!;
      seenMidRun = [mid.status, mid.healthFlags];
      return { result: {} };
    });
    expect(run.status).toBe("succeeded");
    expect(seenMidRun).toEqual(["running", [flag("too_few_steps", 0), flag("entropy_collapse", 4)]]);
    const warnings = (await runLogsAfter({ runId: run.id })).filter((l) => l.level === "warn").map((l) => l.message);
    // iteration 0 is a check before training, said as the run page says it (not "at iteration 0")
    expect(warnings).toEqual(["health: too_few_steps before training: too_few_steps at 0.", "health: entropy_collapse at iteration 4: entropy_collapse at 4."]);
  });
});
