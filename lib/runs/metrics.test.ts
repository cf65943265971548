import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import type { MetricDto } from "./schema";
import { bucketsFor, downsampleSeries } from "./downsample";
import { enqueueRun, runMetricsSince } from "./queue";

const NAMES = Array.from({ length: 22 }, (_, i) => `metric/${String(i).padStart(2, "0")}`);

/** A finished long run: `steps` steps of 22 metrics, one step every second; metric/00 spikes to 50 at step 3333. */
async function longRun(steps: number): Promise<string> {
  const run = await enqueueRun({ kind: "ppo" });
  await db.execute(sql`
    insert into run_metrics (run_id, step, name, value, at)
    select ${run.id}, s, n.name, case when n.name = 'metric/00' and s = 3333 then 50 else sin(s / 100.0 + n.k) end,
           timestamptz '2026-01-01T00:00:00Z' + (s || ' seconds')::interval
    from generate_series(1, ${steps}) s, unnest(string_to_array(${NAMES.join(",")}, ',')) with ordinality n(name, k)`);
  return run.id;
}

const bySeries = (points: MetricDto[]) => {
  const out = new Map<string, MetricDto[]>();
  for (const p of points) out.set(p.name, [...(out.get(p.name) ?? []), p]);
  return out;
};

describe("downsampleSeries", () => {
  const series = Array.from({ length: 1000 }, (_, i) => ({ step: i + 1, value: i === 500 ? -9 : i % 7, at: `2026-01-01T00:${String(Math.floor(i / 60)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.000Z` }));

  it("keeps a short series as it is, sorted by step", () => {
    const short = [series[2]!, series[0]!, series[1]!];
    expect(downsampleSeries(short, 100).map((p) => p.step)).toEqual([1, 2, 3]);
  });

  it("thins a long one to the min and max of each bucket, keeping the ends and a lone dip exact", () => {
    const thin = downsampleSeries(series, 100);
    expect(thin.length).toBeLessThanOrEqual(2 * bucketsFor(100) + 2);
    expect(thin.length).toBeGreaterThan(50);
    expect(thin[0]).toEqual(series[0]);
    expect(thin.at(-1)).toEqual(series.at(-1));
    expect(thin).toContainEqual(series[500]); // the dip at -9
    expect(Math.max(...thin.map((p) => p.value))).toBe(6);
    expect(thin.map((p) => p.step)).toEqual([...thin.map((p) => p.step)].sort((a, b) => a - b));
  });
});

describe("runMetricsSince with points (real Postgres)", () => {
  it("thins every series of a 5,000-step run over its whole length, the last step and a spike exact", async () => {
    const runId = await longRun(5000);
    const all = await runMetricsSince({ runId, points: 200 });
    const series = bySeries(all);
    expect([...series.keys()].sort()).toEqual(NAMES);
    for (const [name, points] of series) {
      expect(points.length, name).toBeLessThanOrEqual(2 * bucketsFor(200) + 2);
      const steps = points.map((p) => p.step);
      expect(Math.min(...steps), name).toBe(1);
      expect(Math.max(...steps), name).toBe(5000); // 110,000 raw points: the old 20,000-point page stopped near step 909
    }
    expect(series.get("metric/00")).toContainEqual(expect.objectContaining({ step: 3333, value: 50 }));
    // Oldest first, so a poller's `since` is the last point's time, which is the newest written.
    expect(all.at(-1)!.at).toBe("2026-01-01T01:23:20.000Z");
  });

  it("does not cut a thinned answer at the raw page's 20,000 points", async () => {
    const runId = await longRun(5000);
    const series = bySeries(await runMetricsSince({ runId, points: 1000 })); // about 22 x 1,000 points
    expect(series.size).toBe(NAMES.length);
    for (const [name, points] of series) expect(Math.max(...points.map((p) => p.step)), name).toBe(5000);
  });

  it("agrees with downsampleSeries, which the page uses to thin what polls add", async () => {
    const runId = await longRun(800); // 17,600 raw points: one page
    const raw = bySeries(await runMetricsSince({ runId }));
    const thin = bySeries(await runMetricsSince({ runId, points: 120 }));
    for (const name of ["metric/00", "metric/07"]) {
      expect(thin.get(name)!.map((p) => [p.step, p.value])).toEqual(downsampleSeries(raw.get(name)!, 120).map((p) => [p.step, p.value]));
    }
  });

  it("breaks ties in a bucket's lowest and highest value towards the earlier step, as downsampleSeries does", async () => {
    const run = await enqueueRun({ kind: "ppo" });
    // "steps": 0..4 repeating, so each bucket's min and max occur several times; "flat": one value throughout.
    await db.execute(sql`
      insert into run_metrics (run_id, step, name, value, at)
      select ${run.id}, s, n.name, case when n.name = 'steps' then s % 5 else 1.5 end, timestamptz '2026-01-01T00:00:00Z' + (s || ' seconds')::interval
      from generate_series(1, 800) s, (values ('steps'), ('flat')) n(name)`);
    const raw = bySeries(await runMetricsSince({ runId: run.id }));
    const thin = bySeries(await runMetricsSince({ runId: run.id, points: 120 }));
    for (const name of ["steps", "flat"]) {
      const expected = downsampleSeries(raw.get(name)!, 120);
      expect(thin.get(name)!.map((p) => p.step), name).toEqual(expected.map((p) => p.step));
      expect(thin.get(name), name).toEqual(expected);
    }
    // A later step with the same value would be another point: the rule picks the bucket's first.
    expect(thin.get("flat")!.length).toBeLessThan(2 * bucketsFor(120) + 2);
  });

  it("keeps a series of 1, 2 or 100 points whole beside a long one, and a newest point that sits inside a bucket", async () => {
    const run = await enqueueRun({ kind: "ppo" });
    // "long": 0..4 repeating over 800 steps; a resumed attempt rewrote step 402 (value 2: neither
    // its bucket's lowest nor highest) after every other point, so only the newest-point rule keeps it.
    // "flat": 100 equal values, which thinning would cut to one per bucket: short enough to keep whole.
    await db.execute(sql`
      insert into run_metrics (run_id, step, name, value, at)
      select ${run.id}, s, 'long', s % 5, timestamptz '2026-01-01T00:00:00Z' + ((case when s = 402 then 10000 else s end) || ' seconds')::interval
      from generate_series(1, 800) s`);
    await db.execute(sql`
      insert into run_metrics (run_id, step, name, value, at)
      select ${run.id}, s, 'flat', 1, timestamptz '2026-01-01T00:00:00Z' + (s || ' seconds')::interval from generate_series(1, 100) s`);
    await db.execute(sql`
      insert into run_metrics (run_id, step, name, value, at)
      values (${run.id}, 7, 'one', 0.25, '2026-01-01T00:00:07Z'), (${run.id}, 3, 'two', 2, '2026-01-01T00:00:03Z'), (${run.id}, 9, 'two', 2, '2026-01-01T00:00:09Z')`);
    const raw = bySeries(await runMetricsSince({ runId: run.id }));
    const all = await runMetricsSince({ runId: run.id, points: 120 });
    // Oldest first: the rewritten step comes last, where a poller takes its `since` from.
    expect(all.at(-1)).toEqual({ step: 402, name: "long", value: 2, at: "2026-01-01T02:46:40.000Z" });
    const thin = bySeries(all);
    expect(thin.get("one")!.map((p) => [p.step, p.value])).toEqual([[7, 0.25]]);
    expect(thin.get("two")!.map((p) => [p.step, p.value])).toEqual([[3, 2], [9, 2]]);
    expect(thin.get("flat")!.map((p) => p.step)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    for (const name of ["one", "two", "flat", "long"]) {
      expect([...thin.get(name)!].sort((p, q) => p.step - q.step), name).toEqual(downsampleSeries(raw.get(name)!, 120));
    }
  });

  it("thins only the window a poll asks for, and returns a short window whole", async () => {
    const runId = await longRun(5000);
    const since = "2026-01-01T01:23:00.000Z"; // steps 4980..5000
    const recent = await runMetricsSince({ runId, since, points: 200 });
    expect(recent).toHaveLength(21 * NAMES.length);
    expect(new Set(recent.map((p) => p.step))).toEqual(new Set(Array.from({ length: 21 }, (_, i) => 4980 + i)));
    expect(await runMetricsSince({ runId: (await enqueueRun({ kind: "ppo" })).id, points: 200 })).toEqual([]);
  });

  it("answers a poll from an index on (run_id, at), not by reading every point of the run", async () => {
    const runId = await longRun(5000);
    await db.execute(sql`analyze run_metrics`);
    const plan = await db.execute<{ "QUERY PLAN": string }>(
      sql`explain select step, name, value, at from run_metrics m where m.run_id = ${runId} and m.at >= ${"2026-01-01T01:23:00.000Z"} order by at, step, name limit 20000`,
    );
    expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toContain("run_metrics_run_at");
  });
});
