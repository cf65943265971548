import { execFileSync } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { parse as parseCsv } from "csv-parse/sync";
import { and, desc, eq, sql } from "drizzle-orm";
import { parquetReadObjects } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as exportRoute } from "@/app/api/v1/snapshots/[id]/export/route";
import { GET as manifestRoute } from "@/app/api/v1/snapshots/[id]/export/manifest/route";
import { db } from "@/db/client";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { auditEvents, prompts, responses as responsesTable, type DatasetSnapshot, type PromptContent, type User } from "@/db/schema";
import { createApiToken } from "@/lib/auth/tokens";
import { leaseTasks, submitJudgment } from "@/lib/labeling/queue";
import { createSnapshot, snapshotPreferenceRows } from "@/lib/snapshots/snapshots";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { childProcessEnv } from "@/lib/env";
import { makeUser } from "@/lib/testing/fixtures";
import { fitPairBradleyTerry } from "./bradley-terry";
import { exportHfDatasetFolder, exportManifest, startExport, type ExportActor } from "./exports";
import { exportFormats, type ExportFormat } from "./formats";
import { recipe } from "./hf-dataset";
import { splitOf, trlRecord } from "./render";
import { testBucket } from "./rows";
import { exportQuerySchema } from "./schema";

const RATIONALE = 'Shorter, and "to the point",\nas asked';
const CONVERSATION = [
  { role: "system" as const, content: "Be brief." },
  { role: "user" as const, content: "Define: harbor" },
  { role: "assistant" as const, content: "Which sense?" },
  { role: "user" as const, content: "The port." },
];

/**
 * Three pairs (A = "short i", B = "a longer answer i"); pair 0's prompt is a conversation.
 * Labelers 0 and 1 pick A with strength 2, labeler 2 picks B with strength 3; labeler 0
 * writes a rationale with a comma, quotes and a newline.
 */
async function judgedSnapshots() {
  const { campaign, pairs } = await makeCampaign({ pairCount: 3, overlap: 3, settings: { askStrength: true } });
  await db.update(prompts).set({ content: CONVERSATION }).where(eq(prompts.id, pairs[0]!.promptId));
  const labelers = await Promise.all([makeUser(), makeUser(), makeUser()]);
  for (const [i, labeler] of labelers.entries()) {
    for (;;) {
      const [task] = await leaseTasks({ campaign, labeler, count: 1 });
      if (!task) break;
      const shortIsLeft = task.left.text.startsWith("short");
      const pickShort = i < 2;
      await submitJudgment({
        labeler,
        campaign,
        input: {
          clientSubmissionId: randomUUID(),
          assignmentId: task.assignmentId,
          choice: pickShort === shortIsLeft ? "left" : "right",
          strength: pickShort ? 2 : 3,
          rationale: i === 0 ? RATIONALE : null,
        },
      });
    }
  }
  const all = await createSnapshot({ input: { name: "all votes", filters: { campaignIds: [campaign.id] } }, actorId: null });
  const majority = await createSnapshot({ input: { name: "majority", filters: { campaignIds: [campaign.id], aggregate: "majority" } }, actorId: null });
  return { pairs, labelers, all, majority };
}

const admin: ExportActor = { id: null, role: "admin" };
const researcher: ExportActor = { id: null, role: "researcher" };

async function bytes(iterable: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of iterable) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

async function run(snapshot: DatasetSnapshot, query: Record<string, string>, actor = admin): Promise<Buffer> {
  const started = await startExport({ snapshotId: snapshot.id, query: exportQuerySchema.parse(query), actor, via: "cli" });
  return bytes(started.body);
}

const lines = (b: Buffer) =>
  b
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("exports (real Postgres)", () => {
  let data: Awaited<ReturnType<typeof judgedSnapshots>>;
  const salt = "a-salt-for-tests";
  beforeAll(async () => {
    data = await judgedSnapshots();
  });

  it("TRL JSONL: one row per vote, margin from strength, every row conversational when one prompt is a conversation", async () => {
    // TRL reads a file's form from its first row: a mix of forms fails in RewardTrainer.
    const rows = lines(await run(data.all, { format: "trl" }));
    expect(rows).toHaveLength(9);
    const expected = [0, 1, 2].flatMap((i) => {
      const prompt = i === 0 ? CONVERSATION : [{ role: "user", content: `prompt ${i}` }];
      const wrap = (t: string) => [{ role: "assistant", content: t }];
      const short = wrap(`short ${i}`);
      const long = wrap(`a longer answer ${i}`);
      return [
        { prompt, chosen: short, rejected: long, margin: 2 },
        { prompt, chosen: short, rejected: long, margin: 2 },
        { prompt, chosen: long, rejected: short, margin: 3 },
      ];
    });
    const key = (r: unknown) => JSON.stringify(r);
    expect(rows.map(key).sort()).toEqual(expected.map(key).sort());
  });

  it("TRL's fast path writes the bytes JSON.stringify would, for awkward text too", async () => {
    const awkward = 'He said "hi"\n\ttab \\ back \u0001 \u001f é 😀 \u2028 </script>';
    const { campaign, pairs } = await makeCampaign({ pairCount: 2, overlap: 1 });
    const conversation = [{ role: "user" as const, content: awkward }, { role: "assistant" as const, content: "ok" }, { role: "user" as const, content: "more" }];
    await db.update(prompts).set({ content: awkward }).where(eq(prompts.id, pairs[0]!.promptId));
    await db.update(prompts).set({ content: conversation }).where(eq(prompts.id, pairs[1]!.promptId));
    await db.update(responsesTable).set({ text: awkward }).where(eq(responsesTable.id, pairs[0]!.responseAId));
    const labeler = await makeUser();
    for (;;) {
      const [task] = await leaseTasks({ campaign, labeler, count: 1 });
      if (!task) break;
      await submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: task.assignmentId, choice: "left", strength: 3 } });
    }
    const snapshot = await createSnapshot({ input: { name: "awkward", filters: { campaignIds: [campaign.id] } }, actorId: null });
    const reference = (await snapshotPreferenceRows({ snapshotId: snapshot.id }))
      .map((r) => JSON.stringify(trlRecord({ promptId: r.promptId!, prompt: r.prompt as PromptContent, chosen: r.chosen, rejected: r.rejected, strength: r.margin ?? null, weight: 1, tie: false }, true)) + "\n")
      .join("");
    const exported = (await run(snapshot, { format: "trl" })).toString("utf8");
    expect(exported).toBe(reference);
    expect(exported).toContain(JSON.stringify(awkward));
  });

  it("TRL JSONL of a snapshot without a conversation is in standard form, strings throughout", async () => {
    const { campaign } = await makeCampaign({ pairCount: 2, overlap: 1 });
    const labeler = await makeUser();
    for (;;) {
      const [task] = await leaseTasks({ campaign, labeler, count: 1 });
      if (!task) break;
      await submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: task.assignmentId, choice: "left", strength: 2 } });
    }
    const snapshot = await createSnapshot({ input: { name: "plain", filters: { campaignIds: [campaign.id] } }, actorId: null });
    const rows = lines(await run(snapshot, { format: "trl" }));
    expect(rows).toHaveLength(2);
    for (const r of rows) for (const key of ["prompt", "chosen", "rejected"]) expect(typeof r[key]).toBe("string");
  });

  it("HH transcripts, the conversation turn by turn", async () => {
    const rows = lines(await run(data.majority, { format: "hh" }));
    expect(rows).toHaveLength(3);
    expect(rows).toContainEqual({ chosen: "\n\nHuman: prompt 1\n\nAssistant: short 1", rejected: "\n\nHuman: prompt 1\n\nAssistant: a longer answer 1" });
    expect(rows).toContainEqual({
      chosen: "\n\nHuman: Be brief.\n\nDefine: harbor\n\nAssistant: Which sense?\n\nHuman: The port.\n\nAssistant: short 0",
      rejected: "\n\nHuman: Be brief.\n\nDefine: harbor\n\nAssistant: Which sense?\n\nHuman: The port.\n\nAssistant: a longer answer 0",
    });
  });

  it("raw votes JSONL: canonical choices, HMAC pseudonyms, times, rationale for admins only", async () => {
    const rows = lines(await run(data.all, { format: "votes-jsonl", salt }));
    expect(rows).toHaveLength(9);
    for (const [i, labeler] of data.labelers.entries()) {
      const mine = rows.filter((r) => r.labeler === createHmac("sha256", salt).update(labeler.id).digest("hex").slice(0, 16));
      expect(mine).toHaveLength(3);
      for (const r of mine) {
        expect(r).toMatchObject({ choice: i < 2 ? "a" : "b", strength: i < 2 ? 2 : 3, rationale: i === 0 ? RATIONALE : null, gold: false, gold_correct: null });
        expect(["ab", "ba"]).toContain(r.shown_order);
        expect(r.server_ms).toEqual(expect.any(Number));
        expect(r.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
    }
    expect(JSON.stringify(rows)).not.toContain(data.labelers[0]!.id);
    // The aggregated snapshot's votes are the comparisons of its pairs: the same nine.
    const fromMajority = lines(await run(data.majority, { format: "votes-jsonl", salt }));
    expect(fromMajority.map((r) => r.comparison_id).sort()).toEqual(rows.map((r) => r.comparison_id).sort());

    const anonymised = lines(await run(data.all, { format: "votes-jsonl", salt }, researcher));
    expect(anonymised).toHaveLength(9);
    for (const r of anonymised) expect(r).not.toHaveProperty("rationale");
  });

  it("raw votes CSV parses back to the JSONL rows, rationale with comma, quotes and newline intact", async () => {
    const csv = (await run(data.all, { format: "votes-csv", salt })).toString("utf8");
    const records = parseCsv(csv, { columns: true }) as Record<string, string>[];
    const json = lines(await run(data.all, { format: "votes-jsonl", salt }));
    expect(records).toHaveLength(9);
    records.forEach((rec, i) => {
      const j = json[i]!;
      expect(rec.comparison_id).toBe(j.comparison_id);
      expect(rec.labeler).toBe(j.labeler);
      expect(rec.choice).toBe(j.choice);
      expect(rec.strength).toBe(String(j.strength));
      expect(rec.rationale).toBe(j.rationale ?? "");
      expect(rec.active_ms).toBe(j.active_ms === null ? "" : String(j.active_ms));
    });
    const researcherCsv = (await run(data.all, { format: "votes-csv", salt }, researcher)).toString("utf8");
    expect(researcherCsv.split("\r\n")[0]).toBe(
      "comparison_id,pair_id,prompt_id,response_a_id,response_b_id,labeler,choice,strength,shown_order,server_ms,active_ms,created_at,gold,gold_correct",
    );
  });

  it("aggregated per pair: votes, majority, agreement, Bradley-Terry probability", async () => {
    for (const snapshot of [data.all, data.majority]) {
      const rows = lines(await run(snapshot, { format: "aggregated" }));
      expect(rows).toHaveLength(3);
      const bt = fitPairBradleyTerry({ winsA: 2, winsB: 1 });
      for (const r of rows) {
        expect(r).toMatchObject({ votes: 3, votes_a: 2, votes_b: 1, votes_tie: 0, majority: "a", agreement: 0.666667, mean_strength: 2.333333 });
        expect(r.p_a_beats_b).toBe(Math.round(bt.pAWins * 1e6) / 1e6);
      }
      expect(rows.map((r) => r.pair_id).sort()).toEqual(data.pairs.map((p) => p.id).sort());
    }
  });

  it("Parquet of raw votes reads back as the JSONL rows", async () => {
    const file = await run(data.all, { format: "parquet", salt });
    expect(file.subarray(0, 4).toString()).toBe("PAR1");
    const buffer = Uint8Array.from(file).buffer;
    const rows = await parquetReadObjects({ file: buffer });
    const json = lines(await run(data.all, { format: "votes-jsonl", salt }));
    expect(rows).toHaveLength(9);
    expect(rows.map((r) => ({ ...r }))).toEqual(json);
  });

  it("is byte-identical for the same salt, pseudonyms differ with another, gzip round-trips", async () => {
    for (const format of exportFormats) {
      const one = await run(data.all, { format, salt });
      const two = await run(data.all, { format, salt });
      expect(one.equals(two), format).toBe(true);
      if (format === "parquet") continue; // refused gzipped: below
      const gz = await run(data.all, { format, salt, gzip: "1" });
      expect(gz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      if (format !== "hf-dataset") expect(gunzipSync(gz).equals(one), format).toBe(true);
      else expect(gunzipSync(gz).length).toBe(one.length); // the tar's manifest.json says gzip: true
    }
    const a = lines(await run(data.all, { format: "votes-jsonl", salt }));
    const b = lines(await run(data.all, { format: "votes-jsonl", salt: "another-salt" }));
    expect(new Set(a.map((r) => r.labeler))).toHaveProperty("size", 3);
    for (const r of b) expect(a.map((x) => x.labeler)).not.toContain(r.labeler);
    expect(b.map((r) => r.comparison_id)).toEqual(a.map((r) => r.comparison_id));
  });

  it("refuses Parquet gzipped, which no Parquet reader opens, saying to leave gzip out", () => {
    // pyarrow, pandas and datasets all failed on the .parquet.gz it used to write: "Parquet magic bytes not found in footer".
    const parsed = exportQuerySchema.safeParse({ format: "parquet", gzip: "1" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([expect.objectContaining({ path: ["gzip"], message: expect.stringMatching(/^Parquet is compressed inside .*: leave gzip out\.$/) })]);
    expect(exportQuerySchema.parse({ format: "parquet", gzip: "0" })).toMatchObject({ format: "parquet", gzip: false });
  });

  it("manifest: snapshot hash, counts that match the file, version and fields", async () => {
    const m = await exportManifest({ snapshotId: data.all.id, query: exportQuerySchema.parse({ format: "votes-csv" }), actor: researcher });
    expect(m).toMatchObject({
      format: "votes-csv",
      formatVersion: "1.0",
      snapshot: { id: data.all.id, contentHash: data.all.contentHash, aggregate: "all" },
      counts: { rows: 9, pairs: 3, labelers: 3 },
      anonymised: true,
      pseudonymisation: { method: "HMAC-SHA256", hexDigits: 16, saltGiven: false },
    });
    expect(m.fields.map((f) => f.name)).not.toContain("rationale");
    const trl = await exportManifest({ snapshotId: data.majority.id, query: exportQuerySchema.parse({ format: "trl", gzip: "1" }), actor: admin });
    expect(trl).toMatchObject({ counts: { rows: 3, tiesDropped: 0 }, gzip: true, pseudonymisation: null, contentType: "application/gzip" });
    expect(trl.filename).toMatch(/-trl\.jsonl\.gz$/);
  });

  it("Hugging Face folder: split by prompt, card with counts and hash, a recipe whose files exist and parse", async () => {
    const tarFile = await run(data.all, { format: "hf-dataset", salt });
    const dir = await mkdtemp(path.join(tmpdir(), "pw-hf-test-"));
    try {
      await writeFile(path.join(dir, "x.tar"), tarFile);
      execFileSync("tar", ["-xf", "x.tar"], { cwd: dir });
      const [root] = (await readdir(dir)).filter((n) => n !== "x.tar");
      const folder = path.join(dir, root!);
      const manifest = JSON.parse(readFileSync(path.join(folder, "manifest.json"), "utf8")) as { files: string[]; counts: Record<string, number> };
      for (const f of manifest.files) expect(existsSync(path.join(folder, f)), f).toBe(true);

      const train = lines(readFileSync(path.join(folder, recipe.data.train)));
      const test = lines(readFileSync(path.join(folder, recipe.data.test)));
      expect(train.length + test.length).toBe(9);
      expect(train).toHaveLength(manifest.counts.train!);
      expect(test).toHaveLength(manifest.counts.test!);
      for (const r of train) expect(splitOf(r.prompt_id as string)).toBe("train");
      for (const r of test) expect(splitOf(r.prompt_id as string)).toBe("test");
      // The manifest's SQL bucket agrees with splitOf, on many ids (the three prompts here may all be train).
      const ids = Array.from({ length: 300 }, () => randomUUID());
      const sqlTest = await db.execute<{ id: string }>(
        sql`select id from unnest(string_to_array(${ids.join(",")}, ',')) as id where ${testBucket(sql`id`)}`,
      );
      expect(sqlTest.map((r) => r.id).sort()).toEqual(ids.filter((id) => splitOf(id) === "test").sort());
      for (const r of [...train, ...test]) {
        expect(r).toMatchObject({ prompt: expect.stringMatching(/Assistant:$/), chosen: expect.stringMatching(/^ /), rejected: expect.stringMatching(/^ /) });
      }
      const conversation = [...train, ...test].find((r) => (r.prompt as string).startsWith("System:"));
      expect(conversation?.prompt).toBe("System: Be brief.\nUser: Define: harbor\nAssistant: Which sense?\nUser: The port.\nAssistant:");

      const card = readFileSync(path.join(folder, "README.md"), "utf8");
      expect(card).toContain(data.all.contentHash);
      expect(card).toContain(`| train | ${manifest.counts.train} |`);
      expect(card).toContain("path: data/train.jsonl");

      // The recipe: every file it names exists; every data path in a script is one of them; bash parses the scripts.
      const recipeJson = JSON.parse(readFileSync(path.join(folder, "recipe/recipe.json"), "utf8")) as typeof recipe;
      expect(recipeJson).toEqual(recipe);
      for (const s of recipeJson.scripts) {
        const script = readFileSync(path.join(folder, s.file), "utf8");
        execFileSync("bash", ["-n", path.join(folder, s.file)]);
        expect(script).toContain(s.tool);
        for (const named of script.match(/data\/[\w.]+\.jsonl/g) ?? []) expect(existsSync(path.join(folder, named)), named).toBe(true);
        expect(script).toMatch(/--dataset_name "\$DATA_DIR"|--dataset "\$DATA_DIR\/data\/train\.jsonl"/);
      }
      // A checkpoint folder without a tokenizer is refused before any trainer starts.
      const model = path.join(dir, "model");
      execFileSync("mkdir", ["-p", model]);
      await writeFile(path.join(model, "config.json"), JSON.stringify({ model_type: "gpt2", n_positions: 64 }));
      await writeFile(path.join(model, "model.safetensors"), "");
      expect(() => execFileSync("env", [`MODEL_DIR=${model}`, "bash", path.join(folder, "recipe/trl_reward.sh")], { stdio: "pipe" })).toThrow(/no tokenizer/);

      // Each export's rows get their own datasets cache: datasets keys a folder with a card by its name, so
      // a second export unpacked under the same name used to train on the first one's rows. A stand-in
      // `trl` prints the cache the script hands it.
      await writeFile(path.join(model, "tokenizer.json"), "{}");
      const bin = path.join(dir, "bin");
      execFileSync("mkdir", ["-p", bin]);
      await writeFile(path.join(bin, "trl"), '#!/bin/sh\necho "$HF_DATASETS_CACHE"\n', { mode: 0o755 });
      const cacheOf = (f: string) =>
        execFileSync("bash", [path.join(f, "recipe/trl_reward.sh")], { env: childProcessEnv({ MODEL_DIR: model, PATH: `${bin}:${childProcessEnv().PATH ?? ""}`, HF_HOME: path.join(dir, "hf"), HF_DATASETS_CACHE: "" }), stdio: ["ignore", "pipe", "ignore"], encoding: "utf8" }).trim();
      const again = path.join(dir, "again", root!);
      execFileSync("mkdir", ["-p", path.dirname(again)]);
      execFileSync("cp", ["-r", folder, again]);
      expect(cacheOf(folder)).toMatch(new RegExp(`^${path.join(dir, "hf", "datasets")}/pairwise-[0-9a-f]{16}$`));
      expect(cacheOf(again)).toBe(cacheOf(folder)); // the same rows under the same name: the same cache
      await writeFile(path.join(again, recipe.data.train), readFileSync(path.join(folder, recipe.data.train), "utf8").split("\n").slice(1).join("\n"));
      expect(cacheOf(again)).not.toBe(cacheOf(folder)); // other rows under the same name: another cache

      // The CLI's folder form writes the same files.
      const cliDir = path.join(dir, "cli");
      await exportHfDatasetFolder({ snapshotId: data.all.id, query: exportQuerySchema.parse({ format: "hf-dataset", salt }), actor: admin, dir: cliDir });
      for (const f of manifest.files) expect(readFileSync(path.join(cliDir, f)).equals(readFileSync(path.join(folder, f))), f).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("records export.created with the actor, format and counts", async () => {
    const user = await makeUser("admin");
    await run(data.all, { format: "trl" }, { id: user.id, role: "admin" });
    const [event] = await db.select().from(auditEvents).where(and(eq(auditEvents.actorId, user.id), eq(auditEvents.action, "export.created"))).orderBy(desc(auditEvents.id));
    expect(event).toMatchObject({ targetType: "snapshot", targetId: data.all.id, details: { format: "trl", gzip: false, counts: { rows: 9 }, via: "cli" } });
  });

  it("is in the OpenAPI document with its query", () => {
    const doc = buildOpenApiDocument();
    const get = doc.paths?.["/api/v1/snapshots/{id}/export"]?.get;
    expect(get?.parameters?.map((p) => ("name" in p ? p.name : null))).toEqual(expect.arrayContaining(["id", "format", "gzip", "salt", "anonymised"]));
    expect(get?.responses?.["403"]).toBeDefined();
    expect(doc.paths?.["/api/v1/snapshots/{id}/export/manifest"]?.get?.responses?.["200"]).toBeDefined();
  });

  describe("access", () => {
    let tokens: Record<"admin" | "researcher" | "labeler", string>;
    let users: User[];
    beforeAll(async () => {
      users = await Promise.all([makeUser("admin"), makeUser("researcher"), makeUser("labeler")]);
      const [a, r, l] = await Promise.all(users.map((u) => createApiToken({ userId: u.id, name: "test" })));
      tokens = { admin: a!.token, researcher: r!.token, labeler: l!.token };
    });
    afterAll(() => {});

    const call = (handler: typeof exportRoute, who: keyof typeof tokens, id: string, query: string, suffix = "") =>
      handler(new Request(`http://test/api/v1/snapshots/${id}/export${suffix}?${query}`, { headers: { authorization: `Bearer ${tokens[who]}` } }), {
        params: Promise.resolve({ id }),
      });

    it("admins download every format with Content-Disposition", async () => {
      for (const format of exportFormats) {
        const res = await call(exportRoute, "admin", data.all.id, `format=${format}&salt=${salt}`);
        expect(res.status, format).toBe(200);
        expect(res.headers.get("content-disposition")).toBe(`attachment; filename="pairwise-${data.all.id.slice(0, 8)}-${format}.${format === "votes-csv" ? "csv" : format === "parquet" ? "parquet" : format === "hf-dataset" ? "tar" : "jsonl"}"`);
        const body = Buffer.from(await res.arrayBuffer());
        expect(body.equals(await run(data.all, { format, salt })), format).toBe(true);
      }
    });

    it("researchers get the anonymised variant only; labelers get nothing", async () => {
      const res = await call(exportRoute, "researcher", data.all.id, "format=votes-jsonl&gzip=1");
      expect(res.status).toBe(200);
      for (const r of lines(gunzipSync(Buffer.from(await res.arrayBuffer())))) expect(r).not.toHaveProperty("rationale");

      const full = await call(exportRoute, "researcher", data.all.id, "format=votes-jsonl&anonymised=0");
      expect(full.status).toBe(403);
      expect(((await full.json()) as { error: { code: string } }).error.code).toBe("forbidden:export");

      const manifest = await call(manifestRoute, "researcher", data.all.id, "format=parquet", "/manifest");
      expect(manifest.status).toBe(200);
      expect(((await manifest.json()) as { manifest: { anonymised: boolean } }).manifest.anonymised).toBe(true);

      // A labeler cannot make an API token; one made here (as a researcher made a labeler keeps theirs) is
      // refused for its owner's role (403 forbidden:token_role), and a labeler reaching the export code with 403 too.
      const labelerCall = await call(exportRoute, "labeler", data.all.id, "format=trl");
      expect(labelerCall.status).toBe(403);
      expect(((await labelerCall.json()) as { error: { code: string } }).error.code).toBe("forbidden:token_role");
      for (const format of exportFormats satisfies readonly ExportFormat[]) {
        await expect(startExport({ snapshotId: data.all.id, query: exportQuerySchema.parse({ format }), actor: { id: users[2]!.id, role: "labeler" }, via: "api" })).rejects.toMatchObject({
          code: "forbidden:export",
          status: 403,
        });
      }
    });

    it("refuses a bad format and an unknown snapshot", async () => {
      expect((await call(exportRoute, "admin", data.all.id, "format=xml")).status).toBe(400);
      expect((await call(exportRoute, "admin", randomUUID(), "format=trl")).status).toBe(404);
    });
  });
});
