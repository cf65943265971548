import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET, POST } from "@/app/api/v1/checkpoints/route";
import { db } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { createApiToken } from "@/lib/auth/tokens";
import { findCheckpointByStoreKey } from "@/lib/checkpoints/registry";
import { makeUser } from "@/lib/testing/fixtures";
import { inRequestScope } from "@/lib/testing/request-scope";
import { initBackend } from "@/trainer/backend";
import { FolderCheckpointStore, loadCheckpoint, saveCheckpoint } from "@/trainer/checkpoint";
import { createModel, disposeModel, type GPT } from "@/trainer/model";
import { scoreTexts } from "@/trainer/score";
import { tinyConfig } from "@/trainer/testing";
import { type Tokenizer, trainByteBpe } from "@/trainer/tokenizer";
import { MAX_CHECKPOINT_UPLOAD_BYTES } from "./import";

const items = [{ prompt: "hello", response: "world" }];

describe("POST /api/v1/checkpoints (a checkpoint folder uploaded from the browser)", () => {
  let folder: string;
  let researcher: string;
  let rm: { model: GPT; tokenizer: Tokenizer };

  const file = async (name: string, as = name) => new File([await fs.readFile(path.join(folder, name))], as);
  const upload = (form: FormData | string, token = researcher, headers: Record<string, string> = {}) =>
    POST(new Request("http://test/api/v1/checkpoints", { method: "POST", headers: { authorization: `Bearer ${token}`, ...headers }, body: form }), undefined);
  const formWith = async (name: string, files: File[], fields: Record<string, string> = {}) => {
    const form = new FormData();
    form.set("name", name);
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    for (const f of files) form.append("files", f);
    return form;
  };
  const folderFiles = async () => Promise.all(["model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json", "pairwise.json"].map((n) => file(n)));

  beforeAll(async () => {
    await initBackend("wasm");
    const tokenizer = trainByteBpe(["hello hello world"], { vocabSize: 260 });
    const model = createModel({ ...tinyConfig, vocabSize: tokenizer.vocabSize, contextLength: 48 }, { seed: 11, heads: ["reward"] });
    model.params["score.weight"].assign(tf.randomNormal([1, tinyConfig.dModel], 0, 1, "float32", 12));
    rm = { model, tokenizer };
    const root = await fs.mkdtemp(path.join(os.tmpdir(), "pairwise-upload-"));
    await saveCheckpoint(new FolderCheckpointStore(root), { id: "rm", model, tokenizer, kind: "reward", parentId: null, backend: "wasm", trainingConfig: {}, metrics: {} });
    folder = path.join(root, "rm");
    researcher = (await createApiToken({ userId: (await makeUser("researcher")).id, name: "upload" })).token;
  });
  afterAll(async () => {
    disposeModel(rm.model);
    await fs.rm(path.dirname(folder), { recursive: true, force: true });
  });

  it("imports a reward model's folder, registers and audits it, and it scores as it did", async () => {
    const name = `uploaded-rm-${randomUUID().slice(0, 8)}`;
    const res = await upload(await formWith(name, await folderFiles()));
    const body = (await res.json()) as { id: string; kind: string; storeKey: string };
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({ kind: "reward", storeKey: name });
    const row = await findCheckpointByStoreKey({ storeKey: name });
    expect(row).toMatchObject({ id: body.id, kind: "reward", backend: "import", runId: null });
    const [audit] = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "checkpoint.imported"), eq(auditEvents.targetId, body.id)));
    expect(audit?.details).toMatchObject({ name, kind: "reward" });
    const loaded = await loadCheckpoint(new FolderCheckpointStore(), name);
    expect(scoreTexts(loaded, items)[0]).toBeCloseTo(scoreTexts(rm, items)[0]!, 6);
    disposeModel(loaded.model);

    // The list gives the id and the store key a run's config names it by, filtered by kind.
    const list = async (query: string) => {
      const res = await GET(new Request(`http://test/api/v1/checkpoints${query}`, { headers: { authorization: `Bearer ${researcher}` } }), undefined);
      return { status: res.status, body: (await res.json()) as { checkpoints: Array<{ id: string; storeKey: string; kind: string; readsScoreAtEndOfText: boolean }> } };
    };
    const rewards = await list("?kind=reward");
    expect(rewards.status).toBe(200);
    expect(rewards.body.checkpoints.find((c) => c.id === body.id)).toMatchObject({ storeKey: name, kind: "reward", readsScoreAtEndOfText: false });
    expect(rewards.body.checkpoints.every((c) => c.kind === "reward")).toBe(true);
    expect((await list("?kind=sft")).body.checkpoints.map((c) => c.id)).not.toContain(body.id);
    expect((await list("?kind=bogus")).status).toBe(400);

    const again = await upload(await formWith(name, await folderFiles()));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).toContain(`A checkpoint named ${name} exists already`);
  });

  it("of two uploads of one new name at once, one is imported and the other told the name is taken", async () => {
    const name = `racing-${randomUUID().slice(0, 8)}`;
    const [a, b] = await Promise.all([upload(await formWith(name, await folderFiles())), upload(await formWith(name, await folderFiles(), { kind: "sft" }))]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const winner = (await (a.status === 201 ? a : b).json()) as { id: string; kind: string };
    const row = await findCheckpointByStoreKey({ storeKey: name });
    expect(row).toMatchObject({ id: winner.id, kind: winner.kind });
    // The store holds the winner's files, not the loser's.
    const stored = await loadCheckpoint(new FolderCheckpointStore(), name);
    expect(stored.meta.kind).toBe(winner.kind);
    disposeModel(stored.model);
  });

  it("imports it as an SFT model when told to, dropping the score head", async () => {
    const name = `uploaded-sft-${randomUUID().slice(0, 8)}`;
    const res = await upload(await formWith(name, await folderFiles(), { kind: "sft" }));
    expect(res.status).toBe(201);
    const loaded = await loadCheckpoint(new FolderCheckpointStore(), name);
    expect(loaded.meta.kind).toBe("sft");
    expect(loaded.model.params["score.weight"]).toBeUndefined();
    disposeModel(loaded.model);
  });

  it("refuses files it cannot use with the reason, and writes nothing", async () => {
    const refusal = async (res: Response) => {
      const body = (await res.json()) as { error: { code: string; message: string } };
      return { status: res.status, ...body.error };
    };
    const name = `refused-${randomUUID().slice(0, 8)}`;
    expect(await refusal(await upload(await formWith(name, [await file("model.safetensors")])))).toMatchObject({ status: 400, message: expect.stringContaining("needs model.safetensors and config.json") });
    expect(await refusal(await upload(await formWith(name, [await file("config.json", "model.safetensors"), await file("config.json")])))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^Not imported: /),
    });
    expect(await refusal(await upload(await formWith(name, [await file("model.safetensors"), await file("config.json"), await file("config.json")])))).toMatchObject({ status: 400, message: "config.json was sent twice." });
    expect(await refusal(await upload(await formWith("../escape", await folderFiles())))).toMatchObject({ status: 400, code: "bad_request:validation" });
    expect(await refusal(await upload("name=x", researcher, { "content-type": "application/x-www-form-urlencoded" }))).toMatchObject({ status: 400, message: expect.stringContaining("multipart/form-data") });
    expect(await refusal(await upload("--x\r\nbroken", researcher, { "content-type": "multipart/form-data; boundary=y" }))).toMatchObject({ status: 400, message: "The body is not valid multipart/form-data." });
    expect(await refusal(await upload(await formWith(name, await folderFiles()), researcher, { "content-length": String(MAX_CHECKPOINT_UPLOAD_BYTES + 1) }))).toMatchObject({ status: 413 });
    expect(await findCheckpointByStoreKey({ storeKey: name })).toBeNull();
    expect(await new FolderCheckpointStore().list()).not.toContain(name);
  });

  it("reads past a folder's other files, and refuses a body cut short in any part without writing", async () => {
    // The parts are streamed one by one; a connection dropped inside a part that is being
    // dropped (a README) or kept (the weights) must answer 400, not fail the server.
    const boundary = "cut-short";
    const part = (fieldName: string, filename: string | null, content: Uint8Array | string) =>
      Buffer.concat([
        Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${fieldName}"${filename ? `; filename="${filename}"` : ""}\r\n\r\n`),
        Buffer.from(content),
        Buffer.from("\r\n"),
      ]);
    const weights = await fs.readFile(path.join(folder, "model.safetensors"));
    const config = await fs.readFile(path.join(folder, "config.json"));
    const tokenizer = await fs.readFile(path.join(folder, "tokenizer.json"));
    const send = (body: Buffer) => upload(body as unknown as string, researcher, { "content-type": `multipart/form-data; boundary=${boundary}` });

    const name = `folder-${randomUUID().slice(0, 8)}`;
    const whole = Buffer.concat([
      part("name", null, name),
      part("files", "rm/README.md", "# a model card\n".repeat(1000)),
      part("files", "rm/config.json", config),
      part("files", "rm/tokenizer.json", tokenizer),
      part("files", "rm/model.safetensors", weights),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    const readmeAt = whole.indexOf("# a model card");
    const weightsAt = whole.lastIndexOf(weights.subarray(0, 64));
    for (const cut of [readmeAt + 100, weightsAt + 1000]) {
      const res = await send(whole.subarray(0, cut));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe("The body is not valid multipart/form-data.");
    }
    expect(await new FolderCheckpointStore().list()).not.toContain(name);
    expect(await findCheckpointByStoreKey({ storeKey: name })).toBeNull();

    const res = await send(whole);
    expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
    const loaded = await loadCheckpoint(new FolderCheckpointStore(), name);
    expect(scoreTexts(loaded, items)[0]).toBeCloseTo(scoreTexts(rm, items)[0]!, 6);
    disposeModel(loaded.model);
  });

  it("asks who is calling before reading anything (labelers get 403 in e2e/route-matrix)", async () => {
    const request = new Request("http://test/api/v1/checkpoints", { method: "POST", body: await formWith(`anonymous-${randomUUID().slice(0, 8)}`, await folderFiles()) });
    const res = await inRequestScope(request, (r) => POST(r, undefined)); // a session is looked up in the request's cookies
    expect(res.status).toBe(401);
  });
});
