/**
 * Backup and restore round trips on real Postgres: a database with users, a campaign,
 * judgments and a snapshot, plus a checkpoint store, is backed up (pg_dump -Fc, and the
 * COPY fallback), restored into fresh databases, and compared table by table, snapshot
 * hash by snapshot hash, file by file.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childProcessEnv, env } from "@/lib/env";
import { leaseTasks, submitJudgment } from "@/lib/labeling/queue";
import { contentHash, createSnapshot } from "@/lib/snapshots/snapshots";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { databaseName, withDatabase } from "@/db/urls";
import { makeUser } from "@/lib/testing/fixtures";
import { countTableRows, createBackup } from "./backup";
import { findPgTool, readServerMajor } from "./pg-tools";
import { restoreBackup } from "./restore";

const sourceUrl = env.DATABASE_URL!;
const work = mkdtempSync(path.join(tmpdir(), "pairwise-backup-"));
const checkpointDir = path.join(work, "checkpoints");
const targets: string[] = [];
let major: number;

/** A database name on the test server, dropped at the end. */
function target(suffix: string): string {
  const name = `${databaseName(sourceUrl)}_${suffix}`;
  targets.push(name);
  return withDatabase(sourceUrl, name);
}

async function dropTargets(): Promise<void> {
  const admin = postgres(withDatabase(sourceUrl, "postgres"), { max: 1, onnotice: () => {} });
  try {
    for (const name of targets) await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

async function inspect(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rowCounts = await countTableRows({ sql });
    const snapshots = await sql<{ id: string; content_hash: string }[]>`select id, content_hash from dataset_snapshots order by id`;
    // Each snapshot's hash, recomputed from the rows as they are now.
    const recomputed: Record<string, string> = {};
    for (const s of snapshots) {
      const rows = await sql<{ pair_id: string; prompt_id: string; chosen_response_id: string; rejected_response_id: string; tie: boolean; strength: number | null; weight: number; votes: number; labeler_id: string | null }[]>`
        select * from snapshot_rows where snapshot_id = ${s.id} order by ordinal`;
      recomputed[s.id] = contentHash(
        rows.map((r) => ({ pairId: r.pair_id, promptId: r.prompt_id, chosenResponseId: r.chosen_response_id, rejectedResponseId: r.rejected_response_id, tie: r.tie, strength: r.strength, weight: r.weight, votes: r.votes, labelerId: r.labeler_id, comparisonId: null })),
      );
    }
    // The campaign quality rows the triggers keep, whole: a restore must bring them back as they were, not counted again.
    const [kept] = await sql<{ digest: string }[]>`
      select md5(concat_ws('|', (select string_agg(t::text, ',' order by t::text) from campaign_quality_labelers t),
        (select string_agg(t::text, ',' order by t::text) from campaign_quality_kinds t), (select string_agg(t::text, ',' order by t::text) from campaign_pair_counts t))) as digest`;
    return { rowCounts, hashes: Object.fromEntries(snapshots.map((s) => [s.id, s.content_hash])), recomputed, kept: kept!.digest };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

beforeAll(async () => {
  const sql = postgres(sourceUrl, { max: 1, onnotice: () => {} });
  major = await readServerMajor({ sql }).finally(() => sql.end({ timeout: 5 }));
  // Data: users, a campaign fully judged by three labelers, a snapshot of it.
  const { campaign } = await makeCampaign({ pairCount: 5, overlap: 3 });
  for (const labeler of await Promise.all([makeUser(), makeUser(), makeUser()])) {
    for (;;) {
      const [task] = await leaseTasks({ campaign, labeler, count: 1 });
      if (!task) break;
      await submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: task.assignmentId, choice: task.left.text.startsWith("short") ? "left" : "right", strength: 3 } });
    }
  }
  await createSnapshot({ input: { name: "backup test", filters: { campaignIds: [campaign.id] } }, actorId: null });
  // A checkpoint store with a nested file.
  mkdirSync(path.join(checkpointDir, "ckpt-1"), { recursive: true });
  writeFileSync(path.join(checkpointDir, "ckpt-1", "model.safetensors"), Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251)));
  writeFileSync(path.join(checkpointDir, "ckpt-1", "config.json"), '{"n_layer": 2}\n');
  await dropTargets();
}, 120_000);

afterAll(async () => {
  await dropTargets();
});

describe("backup and restore (real Postgres)", () => {
  const pgDumpHere = () => findPgTool({ tool: "pg_dump", serverMajor: major }).tool !== null;

  it("round-trips through pg_dump -Fc with the npm commands: same rows per table, same snapshot hashes, same checkpoint files", async (ctx) => {
    if (!pgDumpHere()) ctx.skip(); // e.g. the embedded PostgreSQL 18, which ships no pg_dump
    const out = path.join(work, "dump-backup");
    const restoredCheckpoints = path.join(work, "restored-checkpoints");
    const npm = (args: string[]) => spawnSync("npm", ["run", "--silent", ...args], { env: childProcessEnv({ DATABASE_URL: sourceUrl, CHECKPOINT_DIR: checkpointDir }), encoding: "utf8", timeout: 120_000 });

    const backup = npm(["db:backup", "--", "--out", out]);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/Backed up \d+ rows in \d+ tables \(pg_dump\) and 2 checkpoint files/);
    const manifest = JSON.parse(readFileSync(path.join(out, "backup.json"), "utf8")) as { database: { method: string; rowCounts: Record<string, number> }; files: Record<string, string> };
    expect(manifest.database.method).toBe("pg_dump");
    expect(Object.keys(manifest.files).sort()).toEqual(["checkpoints.tar", "database.dump"]);

    const restoreUrl = target("restore_dump");
    const restore = npm(["db:restore", "--", out, "--database", databaseName(restoreUrl), "--checkpoint-dir", restoredCheckpoints]);
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/row counts match the backup/);

    const [source, restored] = [await inspect(sourceUrl), await inspect(restoreUrl)];
    expect(restored.rowCounts).toEqual(manifest.database.rowCounts);
    expect(restored.kept).toBe(source.kept);
    expect(restored.rowCounts).toEqual(source.rowCounts);
    expect(restored.rowCounts.comparisons).toBeGreaterThanOrEqual(15);
    expect(restored.rowCounts.snapshot_rows).toBeGreaterThanOrEqual(15);
    expect(restored.hashes).toEqual(source.hashes);
    expect(restored.recomputed).toEqual(restored.hashes);
    for (const file of ["ckpt-1/model.safetensors", "ckpt-1/config.json"]) {
      expect(readFileSync(path.join(restoredCheckpoints, file))).toEqual(readFileSync(path.join(checkpointDir, file)));
    }

    // The restored database is not empty now: a second restore is refused, then forced.
    const again = npm(["db:restore", "--", out, "--database", databaseName(restoreUrl), "--checkpoint-dir", path.join(work, "elsewhere")]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/target database is not empty \(\d+ tables: .*\)\. Restore into an empty database, or pass --force/);
    const forced = npm(["db:restore", "--", out, "--database", databaseName(restoreUrl), "--checkpoint-dir", restoredCheckpoints, "--force"]);
    expect(forced.status, forced.stderr).toBe(0);
    expect((await inspect(restoreUrl)).rowCounts).toEqual(source.rowCounts);
  }, 180_000);

  it("round-trips through the COPY format (the fallback when no pg_dump fits the server)", async () => {
    const out = path.join(work, "copy-backup");
    const manifest = await createBackup({ url: sourceUrl, outDir: out, checkpointDir, method: "copy" });
    expect(manifest.database.method).toBe("copy");
    const restoreUrl = target("restore_copy");
    const restoredCheckpoints = path.join(work, "copy-checkpoints");
    await restoreBackup({ backupDir: out, url: restoreUrl, checkpointDir: restoredCheckpoints });
    const [source, restored] = [await inspect(sourceUrl), await inspect(restoreUrl)];
    expect(restored.rowCounts).toEqual(source.rowCounts);
    expect(restored.kept).toBe(source.kept);
    expect(restored.hashes).toEqual(source.hashes);
    expect(restored.recomputed).toEqual(restored.hashes);
    expect(readFileSync(path.join(restoredCheckpoints, "ckpt-1", "model.safetensors"))).toEqual(readFileSync(path.join(checkpointDir, "ckpt-1", "model.safetensors")));
  }, 120_000);

  it("refuses a damaged backup and a non-empty checkpoint folder", async () => {
    const out = path.join(work, "damaged");
    await createBackup({ url: sourceUrl, outDir: out, checkpointDir, method: "copy" });
    await expect(restoreBackup({ backupDir: out, url: target("restore_refused"), checkpointDir })).rejects.toThrow(/checkpoint folder .* is not empty/);
    writeFileSync(path.join(out, "tables", "users.copy"), "tampered\n", { flag: "a" });
    await expect(restoreBackup({ backupDir: out, url: target("restore_damaged"), checkpointDir: path.join(work, "none") })).rejects.toThrow(/damaged: tables\/users.copy/);
  }, 120_000);
});
