import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCheckpointByStoreKey } from "@/lib/checkpoints/registry";
import { childProcessEnv } from "@/lib/env";
import { initBackend } from "../backend";
import { FolderCheckpointStore, loadCheckpoint, saveCheckpoint } from "../checkpoint";
import { createModel, disposeModel } from "../model";
import { tinyConfig } from "../testing";
import { trainByteBpe } from "../tokenizer";

/** `npm run trainer -- import-hf …` as a researcher runs it: a child process, its own backend and database pool. */
function cli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ["--import", "tsx", "--conditions=react-server", "trainer/cli.ts", "import-hf", ...args], { encoding: "utf8", env: childProcessEnv(env), timeout: 60_000 });
}

describe("npm run trainer -- import-hf (a reward model trained in Python)", () => {
  let root: string;
  beforeAll(async () => {
    await initBackend("wasm");
    root = await fs.mkdtemp(path.join(os.tmpdir(), "pairwise-cli-import-"));
    const tokenizer = trainByteBpe(["hello hello world"], { vocabSize: 260 });
    const model = createModel({ ...tinyConfig, vocabSize: tokenizer.vocabSize }, { seed: 8, heads: ["reward"] });
    model.params["score.weight"].assign(tf.ones([1, tinyConfig.dModel]));
    await saveCheckpoint(new FolderCheckpointStore(path.join(root, "python")), { id: "rm", model, tokenizer, kind: "reward", parentId: null, backend: "wasm", trainingConfig: {}, metrics: {} });
    disposeModel(model);
  });
  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  it("imports a folder with a score head as a reward checkpoint and registers it for the web app", async () => {
    const id = `py-rm-${randomUUID().slice(0, 8)}`;
    const storeDir = path.join(root, "store");
    const r = cli([`--from=${path.join(root, "python", "rm")}`, `--id=${id}`, "--register"], { CHECKPOINT_DIR: storeDir });
    expect(r.status, r.stderr.slice(-1500)).toBe(0); // the tail only: a tfjs error quotes its whole bundle
    expect(r.stdout).toContain(`imported ${id} (reward)`);
    const row = await findCheckpointByStoreKey({ storeKey: id });
    expect(row).toMatchObject({ kind: "reward", backend: "import", parentId: null, runId: null });
    expect(r.stdout).toContain(`registered ${id} as checkpoint ${row!.id}`);
    const { meta, model } = await loadCheckpoint(new FolderCheckpointStore(storeDir), id);
    expect(meta).toMatchObject({ kind: "reward", scoreToken: "before-end-of-text" });
    disposeModel(model);
  });

  it("refuses an unknown --kind with a usage error and imports nothing", () => {
    const r = cli([`--from=${path.join(root, "python", "rm")}`, "--id=never", "--kind=policy"], { CHECKPOINT_DIR: path.join(root, "store-2") });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--kind must be one of base, sft, reward, got "policy"');
  });
});
