import fs from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { FolderCheckpointStore, loadCheckpoint, saveCheckpoint } from "./checkpoint";
import { OptionError, resolveConfig } from "./cli/options";
import { readCorpusDocs, readSftJsonl } from "./data/corpus";
import { definitions, lmFixture, syntheticDocs } from "./lm-testing";
import { encodeSftExamples, sftBatch, streamLoss, tokenizeDocs, withTextRows } from "./lm-data";
import { createModel, disposeModel, forward, lmLogits } from "./model";
import { encodeExample, formatExample, formatPrompt } from "./prompt-format";
import { runSft, sftOptions } from "./sft";
import { tinyConfig } from "./testing";
import { lmBatchFromStream, lmLoss, weightedTokenLoss } from "./train";
import { type ByteBpeTokenizer, END_OF_TEXT, trainByteBpe } from "./tokenizer";

const quiet = { log: () => {} };

describe("SFT", () => {
  let fx: Awaited<ReturnType<typeof lmFixture>>;
  let tokenizer: ByteBpeTokenizer;
  beforeAll(async () => {
    await initBackend("wasm");
    fx = await lmFixture();
    tokenizer = trainByteBpe([...syntheticDocs(10, 1), ...definitions.map((d) => formatExample(d.prompt, d.response))], { vocabSize: 300 });
  });
  afterAll(() => fx.cleanup());

  /** A checkpoint store (folder `dir` of the fixture) holding a tiny random base model "b". */
  async function storeWithBase(dir: string): Promise<FolderCheckpointStore> {
    const store = new FolderCheckpointStore(path.join(fx.dir, dir));
    const base = createModel({ ...tinyConfig, vocabSize: tokenizer.vocabSize, contextLength: 32 }, { seed: 4 });
    await saveCheckpoint(store, { id: "b", model: base, tokenizer, kind: "base", parentId: null, backend: "wasm", trainingConfig: {}, metrics: {} });
    disposeModel(base);
    return store;
  }

  it("refuses a text file without mixText, and a warm-up longer than the run, before it loads the base, in startRun's words", async () => {
    const store = new FolderCheckpointStore(path.join(fx.dir, "refused"));
    const refusal = (over: Record<string, unknown>) =>
      runSft(resolveConfig(sftOptions, { base: "no-such-base", data: fx.sft, ...over }), { store, backend: "wasm", ...quiet }).then(
        () => "trained",
        (e: unknown) => (e instanceof OptionError ? e.message : `not a usage error: ${String(e)}`),
      );
    expect(await refusal({ mixCorpus: fx.corpus })).toBe("mixCorpus is read only when mixText is above 0 (plain text mixed into each batch); set mixText (such as 0.25) or leave mixCorpus out");
    // steps 500 and warmupSteps 30 by default.
    expect(await refusal({ steps: 20 })).toBe("warmupSteps 30 must not exceed steps 20: the run would end still warming up, its learning rate never reaching lr; set warmupSteps to at most steps");
  });

  it("formats prompts once for training and generation; the prompt's tokens prefix the example's", () => {
    expect(formatPrompt("Define: cat")).toBe("User: Define: cat\nAssistant:");
    expect(formatExample("Define: cat", "A pet.")).toBe(`User: Define: cat\nAssistant: A pet.${END_OF_TEXT}`);
    expect(formatPrompt([{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }])).toBe("System: Be brief.\nUser: Hi\nAssistant:");
    const { ids, promptLength } = encodeExample(tokenizer, "Define: cat", "A small domestic animal that purrs.");
    expect(ids).toEqual(tokenizer.encode(formatExample("Define: cat", "A small domestic animal that purrs."), { allowSpecial: true }));
    expect(ids.slice(0, promptLength)).toEqual(tokenizer.encode(formatPrompt("Define: cat")));
    expect(ids.at(-1)).toBe(tokenizer.eosId);
  });

  it("reads {prompt, response} and message-list JSONL, and refuses a bad row by line", async () => {
    const file = path.join(fx.dir, "mixed.jsonl");
    await fs.writeFile(file, ['{"prompt":"Define: cat","response":"A pet."}', '{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."}]}'].join("\n"));
    expect(readSftJsonl(file)).toEqual([
      { prompt: "Define: cat", response: "A pet." },
      { prompt: [{ role: "user", content: "Hi" }], response: "Hello." },
    ]);
    await fs.writeFile(file, '{"prompt":"x","response":"y"}\n{"prompt":"x"}\n');
    expect(() => readSftJsonl(file)).toThrow(/mixed.jsonl:2:/);
  });

  it("weights only response targets: prompt and padding positions get weight 0", () => {
    const ex = [{ ids: [1, 2, 3, 4, 5], promptLength: 3 }, { ids: [6, 7, 8], promptLength: 2 }];
    const b = sftBatch(ex, 0);
    expect([b.B, b.T]).toEqual([2, 4]);
    expect(Array.from(b.inputs)).toEqual([1, 2, 3, 4, 6, 7, 0, 0]);
    expect(Array.from(b.targets)).toEqual([2, 3, 4, 5, 7, 8, 0, 0]);
    // Position t predicts ids[t + 1]: a response token when t + 1 >= promptLength.
    expect(Array.from(b.lossWeights!)).toEqual([0, 0, 1, 1, 0, 1, 0, 0]);
    expect(b.attentionMask).toEqual([[1, 1, 1, 1], [1, 1, 0, 0]]);
  });

  it("has zero gradient at prompt positions and equals a hand-computed loss on a 2-example batch", () => {
    // Example 1: [7, 1, 0] with prompt [7]; example 2: [7, 0] with prompt [7]; V = 2.
    const b = sftBatch([{ ids: [7, 1, 0], promptLength: 2 }, { ids: [7, 0], promptLength: 1 }], 0);
    expect(Array.from(b.lossWeights!)).toEqual([0, 1, 1, 0]);
    const logits = tf.tensor2d([[0, 0], [Math.log(3), 0], [0, Math.log(3)], [5, -5]]); // [B*T, V]
    const targets = tf.tensor1d(b.targets, "int32");
    const weights = tf.tensor1d(b.lossWeights!);
    const nllOf = (l: tf.Tensor) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(l), tf.oneHot(targets, 2)), 1)) as tf.Tensor1D;
    // Weighted positions: row 1 target 0, p = 3/4; row 2 target 0, p = 1/4. Mean of -log p:
    const hand = (-Math.log(3 / 4) - Math.log(1 / 4)) / 2;
    expect(weightedTokenLoss(nllOf(logits), weights).dataSync()[0]).toBeCloseTo(hand, 6);
    const grad = tf.grad((x: tf.Tensor) => weightedTokenLoss(nllOf(x), weights))(logits).arraySync() as number[][];
    expect(grad[0].map(Math.abs)).toEqual([0, 0]); // prompt position (-0 counts as 0)
    expect(grad[3].map(Math.abs)).toEqual([0, 0]); // padding
    // d loss / d logits = (softmax - onehot) / 2 at response positions, every component:
    // row 1 softmax [3/4, 1/4], row 2 [1/4, 3/4], both with target 0.
    const expected = [[(3 / 4 - 1) / 2, 1 / 4 / 2], [(1 / 4 - 1) / 2, 3 / 4 / 2]];
    expected.forEach((row, r) => row.forEach((g, v) => expect(grad[r + 1][v]).toBeCloseTo(g, 6)));
    tf.dispose([logits, targets, weights]);
  });

  it("computes the model's SFT loss from response tokens only (changing prompt targets changes nothing)", () => {
    const model = createModel({ ...tinyConfig, vocabSize: tokenizer.vocabSize, contextLength: 32 }, { seed: 2 });
    const { encoded } = encodeSftExamples(tokenizer, definitions.slice(0, 2), 32);
    const batch = sftBatch(encoded, tokenizer.padId);
    const loss = tf.tidy(() => lmLoss(model, batch).loss.dataSync()[0]);
    const logits = tf.tidy(() => lmLogits(model, forward(model, { ids: tf.tensor2d(batch.inputs, [batch.B, batch.T], "int32"), attentionMask: batch.attentionMask }).hidden).arraySync());
    let sum = 0;
    let n = 0;
    logits.forEach((row, i) => {
      if (!batch.lossWeights![i]) return;
      const max = Math.max(...row);
      const logZ = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
      sum += logZ - row[batch.targets[i]];
      n++;
    });
    expect(n).toBe(encoded.reduce((s, e) => s + e.ids.length - e.promptLength, 0));
    expect(loss).toBeCloseTo(sum / n, 4);
    const scrambled = { ...batch, targets: batch.targets.map((t, i) => (batch.lossWeights![i] ? t : (t + 1) % tokenizer.vocabSize)) };
    expect(tf.tidy(() => lmLoss(model, scrambled).loss.dataSync()[0])).toBeCloseTo(loss, 6);
    disposeModel(model);
  });

  it("fine-tunes a base checkpoint (loss falls) and resumes after a crash on the same loss curve", async () => {
    const store = await storeWithBase("sft-store");
    const cfg = resolveConfig(sftOptions, { base: "b", data: fx.sft, heldoutData: fx.sft, batch: 3, steps: 24, lr: 1e-2, warmupSteps: 3, evalEvery: 0, saveEvery: 8 });
    const whole = await runSft({ ...cfg, out: "s" }, { store, backend: "wasm", ...quiet });
    expect(whole.record).toMatchObject({ kind: "sft", parentId: "b" });
    expect(whole.metrics["loss/val"]).toBeLessThan(whole.lossHistory[0] / 2);

    const crashStore = new FolderCheckpointStore(path.join(fx.dir, "sft-crash"));
    await fs.cp(store.path("b"), crashStore.path("b"), { recursive: true });
    await runSft({ ...cfg, out: "s", stopAfter: 11 }, { store: crashStore, backend: "wasm", ...quiet });
    const resumed = await runSft({ ...cfg, out: "s", resume: true }, { store: crashStore, backend: "wasm", ...quiet });
    expect(resumed.step).toBe(24);
    resumed.lossHistory.forEach((l, i) => expect(l).toBeCloseTo(whole.lossHistory[i], 5));
  });

  it("mixes plain-text windows into a batch so the loss is (1 - share) SFT + share text", () => {
    const model = createModel({ ...tinyConfig, vocabSize: tokenizer.vocabSize, contextLength: 32 }, { seed: 5 });
    const { encoded } = encodeSftExamples(tokenizer, definitions.slice(0, 3), 32);
    const sft = sftBatch(encoded, tokenizer.padId);
    const text = Int32Array.from(tokenizer.encode(syntheticDocs(3, 9).join(" ")));
    const draws = [0.1, 0.6];
    const rng = () => {
      let i = 0;
      return { next: () => draws[i++ % draws.length] };
    };
    const mixed = withTextRows(sft, text, 2, 0.25, rng());
    expect(mixed.B).toBe(sft.B + 2);
    const windows = lmBatchFromStream(text, draws.map((r) => Math.floor(r * (text.length - sft.T - 1))), sft.T);
    const lossOf = (b: typeof sft) => tf.tidy(() => lmLoss(model, b).loss.dataSync()[0]);
    expect(lossOf(mixed)).toBeCloseTo(0.75 * lossOf(sft) + 0.25 * lossOf(windows), 4);
    expect(() => withTextRows(sft, text, 2, 1, rng())).toThrow(/share/);
    disposeModel(model);
  });

  it("with mixText, keeps held-out plain text better than SFT alone", async () => {
    const store = await storeWithBase("sft-mix");
    const cfg = resolveConfig(sftOptions, { base: "b", data: fx.sft, heldoutData: fx.sft, batch: 3, steps: 30, lr: 1e-2, warmupSteps: 3, evalEvery: 0, saveEvery: 0, mixCorpus: fx.corpus, mixHeldout: fx.heldout });
    const alone = await runSft({ ...cfg, out: "alone", mixText: 0, mixCorpus: "", mixHeldout: "" }, { store, backend: "wasm", ...quiet });
    const mixed = await runSft({ ...cfg, out: "mixed", mixText: 0.5 }, { store, backend: "wasm", ...quiet });
    expect(alone.metrics["text/val_perplexity"]).toBeUndefined();
    // the same measurement as the run's text/val_perplexity (64 windows of T tokens), for both models
    const textPpl = async (id: string) => {
      const { model } = await loadCheckpoint(store, id);
      const ppl = Math.exp((await streamLoss(model, tokenizeDocs(tokenizer, readCorpusDocs(fx.heldout)), 32, 16, 64)).loss);
      disposeModel(model);
      return ppl;
    };
    const [alonePpl, mixedPpl] = [await textPpl("alone"), await textPpl("mixed")];
    console.log(`sft mixText: held-out text perplexity ${alonePpl.toFixed(2)} alone, ${mixedPpl.toFixed(2)} mixed; SFT loss ${alone.metrics["loss/val"].toFixed(3)} vs ${mixed.metrics["loss/val"].toFixed(3)}`);
    expect(mixed.metrics["text/val_perplexity"]).toBeCloseTo(mixedPpl, 3);
    expect(mixedPpl).toBeLessThan(alonePpl);
    expect(mixed.metrics["loss/val"]).toBeLessThan(mixed.lossHistory[0]);
  });
});
