import { describe, expect, it } from "vitest";
import { GET as samplesRoute } from "@/app/api/v1/runs/[id]/samples/route";
import { createApiToken } from "@/lib/auth/tokens";
import { makeUser } from "@/lib/testing/fixtures";
import { runThroughTestWorker } from "@/lib/testing/worker";
import { enqueueRun, getRun } from "./queue";
import { recordRunSamples, runSamplesAfter } from "./samples";

const kind = () => `test-${Math.random().toString(36).slice(2)}`;
const sample = (iteration: number, response: string, score = iteration / 10) => ({ iteration, prompt: `Define: ${response}`, response, score });
const brief = (rows: Awaited<ReturnType<typeof runSamplesAfter>>) => rows.map((r) => [r.iteration, r.position, r.response]);

describe("run samples (real Postgres)", () => {
  it("numbers samples within each iteration, reads whole iterations after a given one, and keeps what an iteration first stored", async () => {
    const run = await enqueueRun({ kind: kind() });
    const other = await enqueueRun({ kind: kind() });
    await recordRunSamples({ runId: run.id, samples: [sample(5, "a"), sample(5, "b")] });
    await recordRunSamples({ runId: other.id, samples: [sample(5, "elsewhere")] });
    await recordRunSamples({ runId: run.id, samples: [sample(10, "c"), sample(10, "d"), sample(15, "e")] });
    // a resumed attempt samples iteration 10 again: the first answers stay
    await recordRunSamples({ runId: run.id, samples: [sample(10, "c again"), sample(10, "d again"), sample(10, "new third")] });

    expect(brief(await runSamplesAfter({ runId: run.id }))).toEqual([
      [5, 0, "a"],
      [5, 1, "b"],
      [10, 0, "c"],
      [10, 1, "d"],
      [10, 2, "new third"],
      [15, 0, "e"],
    ]);
    expect(brief(await runSamplesAfter({ runId: run.id, after: 5 }))).toEqual([
      [10, 0, "c"],
      [10, 1, "d"],
      [10, 2, "new third"],
      [15, 0, "e"],
    ]);
    // a page of whole iterations: never half of iteration 10
    expect(brief(await runSamplesAfter({ runId: run.id, after: 5, iterations: 1 }))).toEqual([
      [10, 0, "c"],
      [10, 1, "d"],
      [10, 2, "new third"],
    ]);
    expect(await runSamplesAfter({ runId: run.id, after: 15 })).toEqual([]);
  });

  it("stores chat prompts as given, makes sampled text storable, and refuses a score that is not finite", async () => {
    const run = await enqueueRun({ kind: kind() });
    const turns = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Define: anvil" },
    ];
    await recordRunSamples({ runId: run.id, samples: [{ iteration: 1, prompt: turns, response: "iron\u0000block", score: -1.25 }] });
    const [row] = await runSamplesAfter({ runId: run.id });
    expect(row).toMatchObject({ iteration: 1, position: 0, prompt: turns, response: "iron\uFFFDblock", score: -1.25 });
    await expect(recordRunSamples({ runId: run.id, samples: [sample(2, "x", Number.NaN)] })).rejects.toThrow("sample score must be a finite number, got NaN");
  });

  // Who may call it (researchers and admins, not labelers) is checked by e2e/route-matrix.ts.
  it("serves them to researchers on GET /api/v1/runs/{id}/samples, after an iteration", async () => {
    const run = await enqueueRun({ kind: kind() });
    await recordRunSamples({ runId: run.id, samples: [sample(1, "first"), sample(2, "second")] });
    const researcher = `Bearer ${(await createApiToken({ userId: (await makeUser("researcher")).id, name: "samples" }))!.token}`;
    const get = async (id: string, query: string, authorization: string) => {
      const res = await samplesRoute(new Request(`http://test/api/v1/runs/${id}/samples${query}`, { headers: { authorization } }), { params: Promise.resolve({ id }) });
      return { status: res.status, body: (await res.json()) as { samples?: Array<{ iteration: number; response: string }>; lastIteration?: number | null; error?: { code: string } } };
    };
    const all = await get(run.id, "", researcher);
    expect(all.status).toBe(200);
    expect(all.body.samples!.map((s) => [s.iteration, s.response])).toEqual([
      [1, "first"],
      [2, "second"],
    ]);
    expect(all.body.lastIteration).toBe(2);
    expect((await get(run.id, "?after=1", researcher)).body).toMatchObject({ samples: [{ response: "second" }], lastIteration: 2 });
    expect((await get((await enqueueRun({ kind: kind() })).id, "", researcher)).body).toEqual({ samples: [], lastIteration: null });
    expect((await get(run.id, "?after=x", researcher)).status).toBe(400);
    expect((await get("00000000-0000-4000-8000-000000000000", "", researcher)).body.error?.code).toBe("not_found:run");
  });

  it("are written by a job through its context while the run is still running", async () => {
    let seenMidRun: unknown[] = [];
    const run = await runThroughTestWorker(async (ctx) => {
      await ctx.reportSamples([sample(3, "mid-run")]);
      seenMidRun = [(await getRun({ runId: ctx.run.id }))?.status, (await runSamplesAfter({ runId: ctx.run.id })).map((s) => s.iteration)];
      return { result: {} };
    });
    expect(run.status).toBe("succeeded");
    expect(seenMidRun).toEqual(["running", [3]]);
  });
});
