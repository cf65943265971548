import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { FolderCheckpointStore, hfTokenizerConfig, loadCheckpoint } from "./checkpoint";
import { generate } from "./generate";
import { disposeModel, paramCount } from "./model";
import { formatPrompt } from "./prompt-format";
import { shippedBaseId, shippedCheckpointDir, shippedModelConfig, shippedSftId } from "./shipped";

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

  it("answers a held-out Define: prompt with text that ends at end-of-text", async () => {
    const { model, tokenizer } = await loadCheckpoint(store, shippedSftId);
    const [g] = generate(model, tokenizer, [formatPrompt("Define: harbor")], { maxNewTokens: 48, temperature: 0 });
    expect(g.finishReason).toBe("eos");
    expect(g.text.trim().split(" ").length).toBeGreaterThanOrEqual(3);
    disposeModel(model);
  });
});
