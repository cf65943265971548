import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { FolderCheckpointStore, hfTokenizerConfig, loadCheckpoint } from "./checkpoint";
import { generate } from "./generate";
import { disposeModel, paramCount } from "./model";
import { formatPrompt } from "./prompt-format";
import { installShippedCheckpoints, shippedBaseId, shippedCheckpointDir, shippedModelConfig, shippedSftId } from "./shipped";

describe("shipped checkpoints (trainer/checkpoints)", () => {
  const store = new FolderCheckpointStore(shippedCheckpointDir);
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("loads demo-sft (and demo-base where it was rebuilt) with the documented config and lineage", async () => {
    const ids = (await store.list()).includes(shippedBaseId) ? [shippedBaseId, shippedSftId] : [shippedSftId];
    for (const id of ids) {
      const [kind, parent] = id === shippedBaseId ? ["base", null] : ["sft", shippedBaseId];
      const { model, tokenizer, meta } = await loadCheckpoint(store, id);
      expect(model.config).toEqual(shippedModelConfig);
      expect(tokenizer.vocabSize).toBe(shippedModelConfig.vocabSize);
      expect(meta).toMatchObject({ kind, parentId: parent, backend: "wasm" });
      expect(paramCount(model)).toBe(1_063_680);
      expect(meta.trainingConfig).toMatchObject({ command: kind === "base" ? "pretrain" : "sft", seed: 1 });
      const files = await store.load(id);
      expect(JSON.parse(new TextDecoder().decode(files["tokenizer_config.json"]))).toEqual(hfTokenizerConfig(shippedModelConfig.contextLength));
      disposeModel(model);
    }
  });

  it("gives a copy installed by an older release the files shipped since, and leaves the rest alone", async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), "pairwise-shipped-"));
    try {
      const target = new FolderCheckpointStore(root);
      const { "tokenizer_config.json": _added, ...older } = await store.load(shippedSftId);
      const meta = JSON.parse(new TextDecoder().decode(older["pairwise.json"]));
      const pairwiseJson = new TextEncoder().encode(JSON.stringify({ ...meta, metrics: { kept: 1 } }));
      await target.save(shippedSftId, { ...older, "pairwise.json": pairwiseJson });
      const records = await installShippedCheckpoints(target);
      expect(records.find((r) => r.id === shippedSftId)?.metrics).toEqual({ kept: 1 });
      const files = await target.load(shippedSftId);
      expect(Object.keys(files).sort()).toEqual(["config.json", "model.safetensors", "pairwise.json", "tokenizer.json", "tokenizer_config.json"]);
      expect(files["pairwise.json"]).toEqual(pairwiseJson);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });

  it("answers a held-out Define: prompt with text that ends at end-of-text", async () => {
    const { model, tokenizer } = await loadCheckpoint(store, shippedSftId);
    const [g] = generate(model, tokenizer, [formatPrompt("Define: harbor")], { maxNewTokens: 48, temperature: 0 });
    expect(g.finishReason).toBe("eos");
    expect(g.text.trim().split(" ").length).toBeGreaterThanOrEqual(3);
    disposeModel(model);
  });
});
