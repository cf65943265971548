/**
 * The checkpoints shipped in the repository (trainer/checkpoints/demo-base and demo-sft), made by
 * the commands in docs/pretraining.md. The seed installs both, base first, so the SFT model's
 * lineage points at its base.
 */
import { fileURLToPath } from "node:url";
import { type CheckpointRecord, type CheckpointStore, checkpointRecord, FolderCheckpointStore } from "./checkpoint";
import type { ModelConfig } from "./model";

export const shippedCheckpointDir = fileURLToPath(new URL("./checkpoints", import.meta.url));
export const shippedBaseId = "demo-base";
export const shippedSftId = "demo-sft";

/** The shipped models' architecture, as documented in docs/pretraining.md. */
export const shippedModelConfig: ModelConfig = {
  vocabSize: 2048,
  contextLength: 64,
  layers: 4,
  heads: 4,
  dModel: 128,
  dropout: 0,
  activation: "quick_gelu",
  layerNormEpsilon: 1e-5,
};

/** Only these files are shipped (a resumable state's optimizer and trainer state are not). */
const SHIPPED_FILES = ["model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json", "pairwise.json"];

/**
 * Copies the shipped checkpoints into `store` when it lacks them, so the checkpoint rows point
 * at the store every worker reads (CHECKPOINT_DIR). A copy from an older release gets the files
 * shipped since (tokenizer_config.json); the files it has are left as they are. Returns their
 * records, the base (when present) first, so its row exists when the SFT checkpoint's parent is
 * looked up.
 */
export async function installShippedCheckpoints(store: CheckpointStore, shipped: CheckpointStore = new FolderCheckpointStore(shippedCheckpointDir)): Promise<CheckpointRecord[]> {
  const have = new Set(await store.list());
  const available = new Set(await shipped.list());
  const records: CheckpointRecord[] = [];
  for (const id of [shippedBaseId, shippedSftId]) {
    if (id === shippedBaseId && !available.has(id) && !have.has(id)) continue;
    if (!have.has(id)) {
      const files = await shipped.load(id);
      await store.save(id, Object.fromEntries(SHIPPED_FILES.filter((f) => files[f]).map((f) => [f, files[f]])));
    } else if (available.has(id)) {
      const [copy, files] = await Promise.all([store.load(id), shipped.load(id)]);
      const missing = SHIPPED_FILES.filter((f) => files[f] && !copy[f]);
      if (missing.length) await store.save(id, { ...copy, ...Object.fromEntries(missing.map((f) => [f, files[f]])) });
    }
    records.push(await checkpointRecord(store, id));
  }
  return records;
}
