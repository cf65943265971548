import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { sql as drizzleSql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { databaseUrl } from "@/lib/env";
import { onPairConflict } from "@/lib/imports/import";
import { recountQuality } from "@/lib/labeling/quality-recount";
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
  it("0014 counts the judgments and pairs already stored into the campaign quality rows", async () => {
    const { url, sql } = await databaseBefore("0013_campaign_quality_tables");
    try {
      const [l1, l2, l3] = await sql<{ id: string }[]>`
        insert into users (email, role) values ('m1@test.local', 'labeler'), ('m2@test.local', 'labeler'), ('m3@test.local', 'labeler') returning id`;
      const [campaign] = await sql<{ id: string }[]>`insert into campaigns (name, overlap, status) values ('before 0014', 3, 'active') returning id`;
      const c = campaign!.id;
      const prompts = await sql<{ id: string }[]>`insert into prompts (campaign_id, content, content_hash) select ${c}, to_jsonb('p' || i), 'h' || i from generate_series(1, 3) i returning id`;
      // Pair 1: A longer. Pair 2: the same length. Pair 3: gold, answer A.
      const texts = [["a longer answer", "short"], ["same", "size"], ["gold a", "gold b"]];
      const pairIds: string[] = [];
      for (const [i, [a, b]] of texts.entries()) {
        const [ra, rb] = await sql<{ id: string }[]>`insert into responses (prompt_id, text, text_hash) values (${prompts[i]!.id}, ${a!}, ${a!}), (${prompts[i]!.id}, ${b!}, ${b!}) returning id`;
        const [pair] = await sql<{ id: string }[]>`
          insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id, gold_choice, judgment_count)
          values (${c}, ${prompts[i]!.id}, ${ra!.id}, ${rb!.id}, ${i === 2 ? "a" : null}, ${[3, 1, 1][i]!}) returning id`;
        pairIds.push(pair!.id);
      }
      const judgments: [number, string, string, number | null, string, number, boolean | null][] = [
        [0, l1!.id, "a", 2, "ab", 1000, null],
        [0, l2!.id, "a", null, "ba", 3000, null],
        [0, l3!.id, "b", 4, "ab", 2000, null],
        [1, l1!.id, "tie", null, "ab", 4000, null],
        [2, l2!.id, "a", null, "ab", 5000, true],
      ];
      for (const [pair, labeler, choice, strength, shown, ms, gold] of judgments) {
        const [lease] = await sql<{ id: string }[]>`
          insert into assignments (campaign_id, pair_id, labeler_id, status, shown_order, expires_at) values (${c}, ${pairIds[pair]!}, ${labeler}, 'completed', ${shown}, now()) returning id`;
        await sql`insert into comparisons (client_submission_id, assignment_id, campaign_id, pair_id, labeler_id, choice, strength, shown_order, server_ms, gold_correct)
                  values (gen_random_uuid(), ${lease!.id}, ${c}, ${pairIds[pair]!}, ${labeler}, ${choice}, ${strength}, ${shown}, ${ms}, ${gold})`;
      }
      await runMigrations(url);

      expect(await sql`select judgment_count, sum(pairs)::int as pairs from campaign_pair_counts where campaign_id = ${c} group by 1 order by 1`).toEqual([
        { judgment_count: 1, pairs: 1 },
        { judgment_count: 3, pairs: 1 },
      ]);
      // Pair 1: a1 (no strength counts as 1), a2, b4; one left pick (l1 picked A shown left). Pair 2: one tie.
      expect(await sql`select outcomes, longer, sum(pairs)::int as pairs, sum(picked_left)::int as picked_left from campaign_quality_kinds where campaign_id = ${c} group by 1, 2 order by longer`).toEqual([
        { outcomes: [1, 1, 0, 0, 0, 0, 0, 1, 0, 0], longer: "a", pairs: 1, picked_left: 1 },
        { outcomes: [0, 0, 0, 0, 0, 0, 0, 0, 1, 0], longer: "same", pairs: 1, picked_left: 0 },
      ]);
      // Only l3 is checked against a majority (the others of pair 1 both chose A); medians halve the two middle times.
      const labelers = await sql<{ labeler_id: string }[]>`
        select labeler_id, judgments, gold_answered, gold_right, agreement_checked, agreement_agreed, median_ms from campaign_quality_labelers where campaign_id = ${c}`;
      expect(Object.fromEntries(labelers.map(({ labeler_id, ...rest }) => [labeler_id, rest]))).toEqual({
        [l1!.id]: { judgments: 2, gold_answered: 0, gold_right: 0, agreement_checked: 0, agreement_agreed: 0, median_ms: 2500 },
        [l2!.id]: { judgments: 2, gold_answered: 1, gold_right: 1, agreement_checked: 0, agreement_agreed: 0, median_ms: 4000 },
        [l3!.id]: { judgments: 1, gold_answered: 0, gold_right: 0, agreement_checked: 1, agreement_agreed: 0, median_ms: 2000 },
      });

      // From here on the triggers keep them: l1 undoes the tie, and pair 2 has no kind left.
      await sql`delete from comparisons where pair_id = ${pairIds[1]!}`;
      await sql`update pairs set judgment_count = 0 where id = ${pairIds[1]!}`;
      expect(await sql`select longer from campaign_quality_kinds where campaign_id = ${c} group by outcomes, longer having sum(pairs) > 0`).toEqual([{ longer: "a" }]);
      expect(await sql`select judgments, median_ms from campaign_quality_labelers where labeler_id = ${l1!.id}`).toEqual([{ judgments: 1, median_ms: 1000 }]);
      expect(await sql`select judgment_count, sum(pairs)::int as pairs from campaign_pair_counts where campaign_id = ${c} group by 1 having sum(pairs) > 0 order by 1`).toEqual([
        { judgment_count: 0, pairs: 1 },
        { judgment_count: 3, pairs: 1 },
      ]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it("0016 builds the unordered pair index over A/B-swapped copies that earlier imports made: a leased copy is kept with its judgments, a never-leased one deleted, and later imports of either order are skipped", async () => {
    const { url, sql } = await databaseBefore("0016_pairs_unordered");
    const client = createDatabase(url, { max: 1 });
    try {
      const [l1, l2] = await sql<{ id: string }[]>`insert into users (email, role) values ('s1@test.local', 'labeler'), ('s2@test.local', 'labeler') returning id`;
      const [campaign, other] = await sql<{ id: string }[]>`insert into campaigns (name, overlap, status) values ('before 0016', 2, 'active'), ('another', 2, 'active') returning id`;
      const c = campaign!.id;
      const [prompt] = await sql<{ id: string }[]>`insert into prompts (campaign_id, content, content_hash) values (${c}, to_jsonb('Define: owl'::text), 'owl') returning id`;
      const p = prompt!.id;
      const [x, y, z] = await sql<{ id: string }[]>`insert into responses (prompt_id, text, text_hash) values (${p}, 'A night bird.', 'x'), (${p}, 'A fish.', 'y'), (${p}, 'A stone.', 'z') returning id`;
      // (X, Y) imported first; its swap (Y, X) a day later, as the ordered index let through; (X, Z) has no swap.
      const [kept] = await sql<{ id: string }[]>`
        insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id, created_at) values (${c}, ${p}, ${x!.id}, ${y!.id}, '2026-11-01T00:00:00Z') returning id`;
      const [copy] = await sql<{ id: string }[]>`
        insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id, created_at) values (${c}, ${p}, ${y!.id}, ${x!.id}, '2026-11-02T00:00:00Z') returning id`;
      const [single] = await sql<{ id: string }[]>`insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id) values (${c}, ${p}, ${x!.id}, ${z!.id}) returning id`;
      // (Y, Z) and its swap (Z, Y), the swap never leased to anyone: it holds nothing (Y, Z) does not.
      const [unswapped] = await sql<{ id: string }[]>`
        insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id, created_at) values (${c}, ${p}, ${y!.id}, ${z!.id}, '2026-11-01T00:00:00Z') returning id`;
      await sql`insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id, created_at) values (${c}, ${p}, ${z!.id}, ${y!.id}, '2026-11-03T00:00:00Z')`;
      // The same two responses in another campaign are that campaign's own pair.
      const [elsewhere] = await sql<{ id: string }[]>`insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id) values (${other!.id}, ${p}, ${y!.id}, ${x!.id}) returning id`;
      // Both copies judged: l1 chose X on the first, l2 chose X (B) on the copy.
      for (const [pair, labeler, choice] of [[kept!.id, l1!.id, "a"], [copy!.id, l2!.id, "b"]] as const) {
        const [lease] = await sql<{ id: string }[]>`
          insert into assignments (campaign_id, pair_id, labeler_id, status, shown_order, expires_at) values (${c}, ${pair}, ${labeler}, 'completed', 'ab', now()) returning id`;
        await sql`insert into comparisons (client_submission_id, assignment_id, campaign_id, pair_id, labeler_id, choice, shown_order, server_ms)
                  values (gen_random_uuid(), ${lease!.id}, ${c}, ${pair}, ${labeler}, ${choice}, 'ab', 1000)`;
        await sql`update pairs set judgment_count = 1 where id = ${pair}`;
      }
      const countsBefore = await sql`select judgment_count, sum(pairs)::int as pairs from campaign_pair_counts where campaign_id = ${c} group by 1 having sum(pairs) > 0 order by 1`;
      await runMigrations(url);

      // The judged copy is kept and flagged; the never-leased copy of (Y, Z) is gone.
      const flags = new Map((await sql<{ id: string; swap_of: string | null }[]>`select id, swap_of from pairs`).map((r) => [r.id, r.swap_of]));
      expect(Object.fromEntries(flags)).toEqual({ [kept!.id]: null, [copy!.id]: kept!.id, [single!.id]: null, [unswapped!.id]: null, [elsewhere!.id]: null });
      // No judgment deleted or moved: each copy keeps its own.
      expect(await sql`select pair_id, choice from comparisons order by choice`).toEqual([
        { pair_id: kept!.id, choice: "a" },
        { pair_id: copy!.id, choice: "b" },
      ]);
      // The campaign's counts lose the deleted copy (unjudged) and the flagged one (judged once), which leave the
      // queue too: the earlier pair asks the same comparison. The counts equal a recount from the pairs.
      expect(countsBefore).toEqual([
        { judgment_count: 0, pairs: 3 },
        { judgment_count: 1, pairs: 2 },
      ]);
      const countsAfter = await sql`select judgment_count, sum(pairs)::int as pairs from campaign_pair_counts where campaign_id = ${c} group by 1 having sum(pairs) > 0 order by 1`;
      expect(countsAfter).toEqual([
        { judgment_count: 0, pairs: 2 },
        { judgment_count: 1, pairs: 1 },
      ]);
      expect(await recountQuality({ campaignId: c, on: client.db })).toMatchObject({ pairCounts: [...countsAfter] });

      // Later imports, with the import's own conflict clause: both orders of X/Y, X/Z and Y/Z are
      // skipped, and of a new pair in both orders only the first is added.
      const [w] = await sql<{ id: string }[]>`insert into responses (prompt_id, text, text_hash) values (${p}, 'A wave.', 'w') returning id`;
      const rows = [[x, y], [y, x], [z, x], [y, z], [z, y], [w, x], [x, w]].map(([a, b]) => drizzleSql`(${c}::uuid, ${p}::uuid, ${a!.id}::uuid, ${b!.id}::uuid)`);
      const added = await client.db.execute<{ a: string; b: string }>(drizzleSql`
        insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id) values ${drizzleSql.join(rows, drizzleSql`, `)}
        ${onPairConflict} returning response_a_id as a, response_b_id as b`);
      expect(added.map((r) => ({ ...r }))).toEqual([{ a: w!.id, b: x!.id }]);

      // Should the kept pair go, its copy is the only one left and the index covers it again.
      await sql`delete from pairs where id = ${kept!.id}`;
      expect(await sql`select swap_of from pairs where id = ${copy!.id}`).toEqual([{ swap_of: null }]);
      expect(await client.db.execute(drizzleSql`insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id) values (${c}, ${p}, ${x!.id}, ${y!.id}) ${onPairConflict} returning id`)).toHaveLength(0);
    } finally {
      await client.sql.end({ timeout: 5 });
      await sql.end({ timeout: 5 });
    }
  });

  it("0016 keeps a never-leased swapped copy whose gold answer the earlier pair lacks or contradicts, so no researcher's gold answer is dropped", async () => {
    const { url, sql } = await databaseBefore("0016_pairs_unordered");
    try {
      const [campaign] = await sql<{ id: string }[]>`insert into campaigns (name, overlap, status) values ('gold before 0016', 2, 'active') returning id`;
      const c = campaign!.id;
      const [prompt] = await sql<{ id: string }[]>`insert into prompts (campaign_id, content, content_hash) values (${c}, to_jsonb('Define: lark'::text), 'lark') returning id`;
      const p = prompt!.id;
      const texts = ["A songbird.", "A fish.", "A prank.", "A stone.", "A tree.", "A wave.", "A cloud.", "A kettle."];
      const r = (await sql<{ id: string }[]>`insert into responses (prompt_id, text, text_hash) select ${p}, t, t from unnest(${texts}::text[]) as t returning id`).map((row) => row.id);
      // Each earlier pair (imported 1 Nov) and its swap (a gold file imported 2 Nov), none of them ever leased.
      const cases = [
        { name: "gold only on the copy", kept: [r[0], r[1], null], copy: [r[1], r[0], "b"] },
        { name: "the copy's gold contradicts", kept: [r[2], r[3], "a"], copy: [r[3], r[2], "a"] },
        { name: "the same gold, swapped", kept: [r[4], r[5], "a"], copy: [r[5], r[4], "b"] },
        { name: "no gold on the copy", kept: [r[6], r[7], "tie"], copy: [r[7], r[6], null] },
      ] as const;
      const ids: Record<string, { kept: string; copy: string }> = {};
      for (const { name, kept, copy } of cases) {
        const [k] = await sql<{ id: string }[]>`insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id, gold_choice, created_at) values (${c}, ${p}, ${kept[0]!}, ${kept[1]!}, ${kept[2]}, '2026-11-01T00:00:00Z') returning id`;
        const [d] = await sql<{ id: string }[]>`insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id, gold_choice, created_at) values (${c}, ${p}, ${copy[0]!}, ${copy[1]!}, ${copy[2]}, '2026-11-02T00:00:00Z') returning id`;
        ids[name] = { kept: k!.id, copy: d!.id };
      }
      await runMigrations(url);

      const left = new Map((await sql<{ id: string; swap_of: string | null; gold_choice: string | null }[]>`select id, swap_of, gold_choice from pairs`).map((row) => [row.id, row]));
      // A copy holding a gold answer the earlier pair lacks, or another one, stays, flagged: the researcher can find it.
      expect(left.get(ids["gold only on the copy"]!.copy)).toMatchObject({ swap_of: ids["gold only on the copy"]!.kept, gold_choice: "b" });
      expect(left.get(ids["the copy's gold contradicts"]!.copy)).toMatchObject({ swap_of: ids["the copy's gold contradicts"]!.kept, gold_choice: "a" });
      // A copy that says nothing the earlier pair does not is deleted, as before.
      expect(left.has(ids["the same gold, swapped"]!.copy)).toBe(false);
      expect(left.has(ids["no gold on the copy"]!.copy)).toBe(false);
      expect(left.size).toBe(6);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it("a deleted pair's copies are found through an index, not a scan of every pair (ON DELETE SET NULL on swap_of runs this per deleted pair)", async () => {
    const client = createDatabase(databaseUrl(), { max: 1 });
    try {
      // The statement Postgres runs for the foreign key's ON DELETE SET NULL, for each pair deleted (a campaign's,
      // a prompt's or a response's pairs included). Seq scans off: the plan names an index when one can serve it.
      const plan = await client.sql.begin(async (tx) => {
        await tx`set local enable_seqscan = off`;
        return (await tx.unsafe(`explain update only pairs set swap_of = null where '00000000-0000-4000-8000-000000000000'::uuid operator(pg_catalog.=) swap_of`)).map((r) => String(r["QUERY PLAN"])).join("\n");
      });
      expect(plan).toMatch(/Index Scan (using pairs_swap_of|on pairs_swap_of)/);
    } finally {
      await client.sql.end({ timeout: 5 });
    }
  });
});
