import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { describe, expect, it } from "vitest";
import { databaseUrl } from "@/lib/env";
import { recreateDatabase } from "@/lib/testing/databases";
import { createDatabase } from "./client";
import { migrationsFolder, runMigrations } from "./migrate";
import { databaseName, withDatabase } from "./urls";

/** A fresh database with the migrations before `tag` applied, as an earlier release left it. */
async function databaseBefore(tag: string) {
  const url = await recreateDatabase(withDatabase(databaseUrl(), "postgres"), `${databaseName(databaseUrl())}_before_${tag.slice(0, 4)}`);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "migrations-"));
  fs.mkdirSync(path.join(folder, "meta"));
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: Array<{ tag: string }> };
  const earlier = journal.entries.slice(0, journal.entries.findIndex((e) => e.tag === tag));
  fs.writeFileSync(path.join(folder, "meta", "_journal.json"), JSON.stringify({ ...journal, entries: earlier }));
  for (const e of earlier) fs.copyFileSync(path.join(migrationsFolder, `${e.tag}.sql`), path.join(folder, `${e.tag}.sql`));
  const client = createDatabase(url, { max: 1 });
  await migrate(client.db, { migrationsFolder: folder });
  return { url, sql: client.sql };
}

describe("migrations that move data (real Postgres)", () => {
  it("0008 and 0009 move the samples and health flags older PPO runs kept in their result into run_samples and runs.health_flags", async () => {
    const { url, sql } = await databaseBefore("0008_run_samples");
    try {
      const samples = [
        { iteration: 10, prompt: "Define: anvil", response: "a block", score: 0.5 },
        { iteration: 10, prompt: [{ role: "user", content: "Define: bell" }], response: "it rings", score: -0.25 },
        { iteration: 20, prompt: "Define: anvil", response: "iron", score: 1 },
      ];
      const healthFlags = [{ flag: "kl_high", iteration: 12, message: "KL is above 3x its target." }];
      const result = { samples, healthFlags, iterations: 20 };
      const [ppo] = await sql<{ id: string }[]>`insert into runs (kind, status, result, finished_at) values ('ppo', 'succeeded', ${JSON.stringify(result)}::jsonb, '2026-11-01T00:00:00Z') returning id`;
      const [other] = await sql<{ id: string }[]>`insert into runs (kind, status, result) values ('eval', 'succeeded', ${JSON.stringify({ samples: 16, healthFlags: 2 })}::jsonb) returning id`;
      const [running] = await sql<{ id: string }[]>`insert into runs (kind, status) values ('ppo', 'running') returning id`;
      await runMigrations(url);

      const moved = await sql<{ iteration: number; position: number; prompt: unknown; response: string; score: number; at: string }[]>`
        select iteration, position, prompt, response, score, at from run_samples where run_id = ${ppo!.id} order by iteration, position`;
      expect(moved.map(({ at: _at, ...rest }) => rest)).toEqual([
        { iteration: 10, position: 0, prompt: "Define: anvil", response: "a block", score: 0.5 },
        { iteration: 10, position: 1, prompt: [{ role: "user", content: "Define: bell" }], response: "it rings", score: -0.25 },
        { iteration: 20, position: 0, prompt: "Define: anvil", response: "iron", score: 1 },
      ]);
      expect(new Date(moved[0]!.at).toISOString()).toBe("2026-11-01T00:00:00.000Z"); // when the run finished
      const runs = new Map((await sql<{ id: string; result: unknown; health_flags: unknown }[]>`select id, result, health_flags from runs`).map((r) => [r.id, r]));
      expect(runs.get(ppo!.id)).toMatchObject({ result: { iterations: 20, samples: 3 }, health_flags: healthFlags });
      expect(runs.get(ppo!.id)!.result).not.toHaveProperty("healthFlags");
      // Only PPO results are touched; a run without a result gets no flags.
      expect(runs.get(other!.id)).toMatchObject({ result: { samples: 16, healthFlags: 2 }, health_flags: [] });
      expect(runs.get(running!.id)).toMatchObject({ result: null, health_flags: [] });
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
});
