import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { disposeModel } from "./model";
import { trainerEnv } from "./env";
import { compareWithTransformers, type ParityCheck, runTransformers, transformersMissing, writeParityCheckpoints } from "./hf-parity";

// HF_PYTHON names a python with torch and transformers; .ci/run makes one where the machine has a
// local wheel mirror (README, "Tests"). Without it this file is skipped and says why.
const python = trainerEnv.HF_PYTHON;
const missing = python ? transformersMissing(python) : "HF_PYTHON is not set";
if (missing) console.warn(`transformers parity skipped: ${missing}`);

describe.skipIf(missing !== null)("checkpoints in Hugging Face transformers", () => {
  let dir: string;
  let checks: ParityCheck[];
  beforeAll(async () => {
    await initBackend("wasm");
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "pairwise-hf-"));
    const { models, casesFile } = await writeParityCheckpoints(dir);
    try {
      checks = await compareWithTransformers(models, runTransformers(python!, casesFile), dir);
    } finally {
      for (const m of models) disposeModel(m.model);
    }
  }, 120_000);
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  const find = (model: string, what: string) => {
    const c = checks.find((x) => x.model === model && x.what === what);
    if (!c) throw new Error(`no check ${what} of ${model}`);
    return c;
  };

  it.each(["demo-base", "demo-sft", "sft-gelu-new", "policy-value-head"])("%s: AutoTokenizer's ids and AutoModelForCausalLM's logits are Pairwise's", (model) => {
    expect(find(model, "token ids").maxDiff).toBe(0);
    expect(find(model, "logits").maxDiff).toBeLessThan(1e-3);
  });

  it("a reward checkpoint loads with AutoModelForSequenceClassification and scores as Pairwise does, alone and in padded batches", () => {
    expect(find("reward", "token ids").maxDiff).toBe(0);
    expect(find("reward", "score").maxDiff).toBeLessThan(1e-3);
    expect(find("reward", "score, Pairwise batch").maxDiff).toBeLessThan(1e-3);
    expect(find("reward", "score, transformers batch").maxDiff).toBeLessThan(1e-3);
  });

  it("a reward model saved by transformers' save_pretrained imports as a reward model that scores the same", () => {
    expect(find("reward", "score after import").maxDiff).toBeLessThan(1e-3);
  });

  it("a policy's value head is TRL's v_head.summary on the last hidden state", () => {
    expect(find("policy-value-head", "value head").maxDiff).toBeLessThan(1e-3);
  });
});
