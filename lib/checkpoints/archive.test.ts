import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as downloadRoute } from "@/app/api/v1/checkpoints/[id]/download/route";
import type { Checkpoint } from "@/db/schema";
import { createApiToken } from "@/lib/auth/tokens";
import { makeUser } from "@/lib/testing/fixtures";
import { checkpointRecord, FolderCheckpointStore } from "@/trainer/checkpoint";
import { installShippedCheckpoints, shippedSftId } from "@/trainer/shipped";
import { registerCheckpoint } from "./registry";

describe("checkpoint download (real Postgres, the shipped demo-sft checkpoint)", () => {
  const store = new FolderCheckpointStore();
  let checkpoint: Checkpoint;
  let files: Record<string, Uint8Array>;
  let token: string;
  let dir: string;

  const download = (id: string, query = "") =>
    downloadRoute(new Request(`http://test/api/v1/checkpoints/${id}/download${query}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ id }) });

  beforeAll(async () => {
    const records = await installShippedCheckpoints(store);
    for (const record of records) checkpoint = await registerCheckpoint({ record });
    expect(checkpoint.storeKey).toBe(shippedSftId);
    files = await store.load(shippedSftId);
    expect(Object.keys(files).sort()).toEqual(["config.json", "model.safetensors", "pairwise.json", "tokenizer.json", "tokenizer_config.json"]);
    token = (await createApiToken({ userId: (await makeUser("researcher")).id, name: "download" }))!.token;
    dir = await mkdtemp(path.join(tmpdir(), "pairwise-download-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Every extracted file equals the store's, byte for byte, under a folder named after the checkpoint. */
  async function expectSameFiles(root: string) {
    expect(await readdir(root)).toEqual([shippedSftId]);
    expect((await readdir(path.join(root, shippedSftId))).sort()).toEqual(Object.keys(files).sort());
    for (const [name, data] of Object.entries(files)) expect((await readFile(path.join(root, shippedSftId, name))).equals(Buffer.from(data)), name).toBe(true);
  }

  it("is a zip by default that unzip and Python's zipfile test clean and extract byte for byte", async () => {
    const res = await download(checkpoint.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${shippedSftId}.zip"`);
    const file = path.join(dir, "demo-sft.zip");
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    expect(execFileSync("unzip", ["-t", file], { encoding: "utf8" })).toMatch(/No errors detected/);
    expect(execFileSync("python3", ["-m", "zipfile", "-t", file], { encoding: "utf8" })).toMatch(/Done testing/);
    execFileSync("unzip", ["-q", file, "-d", path.join(dir, "unzip")]);
    await expectSameFiles(path.join(dir, "unzip"));
    execFileSync("python3", ["-m", "zipfile", "-e", file, path.join(dir, "python")]);
    await expectSameFiles(path.join(dir, "python"));
    // Same checkpoint, same bytes.
    expect(Buffer.from(await (await download(checkpoint.id, "?format=zip")).arrayBuffer()).equals(await readFile(file))).toBe(true);
  });

  it("is still a tar with ?format=tar", async () => {
    const res = await download(checkpoint.id, "?format=tar");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-tar");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${shippedSftId}.tar"`);
    const to = path.join(dir, "tar");
    await writeFile(path.join(dir, "demo-sft.tar"), Buffer.from(await res.arrayBuffer()));
    execFileSync("mkdir", ["-p", to]);
    execFileSync("tar", ["-xf", path.join(dir, "demo-sft.tar"), "-C", to]);
    await expectSameFiles(to);
  });

  it("refuses an unknown format, an unknown checkpoint and one whose files are gone", async () => {
    const bad = await download(checkpoint.id, "?format=rar");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "bad_request:validation", details: [{ path: "format" }] } });
    expect((await download(randomUUID())).status).toBe(404);
    const ghost = await registerCheckpoint({ record: { ...(await checkpointRecord(store, shippedSftId)), id: `gone-${randomUUID().slice(0, 8)}`, parentId: null } });
    const gone = await download(ghost.id);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: { code: "not_found:checkpoint_files" } });
  });
});
