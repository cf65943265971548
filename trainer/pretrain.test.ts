import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { FolderCheckpointStore, loadCheckpoint } from "./checkpoint";
import { OptionError, resolveConfig } from "./cli/options";
import { lmFixture } from "./lm-testing";
import { disposeModel } from "./model";
import { type PretrainConfig, pretrainOptions, runPretrain } from "./pretrain";
import { cosineLr } from "./schedule";
import { loadTrainingState } from "./training-state";

const quiet = { log: () => {} };

describe("pretraining", () => {
  let fx: Awaited<ReturnType<typeof lmFixture>>;
  let tiny: PretrainConfig;
  beforeAll(async () => {
    await initBackend("wasm");
    fx = await lmFixture();
    tiny = resolveConfig(pretrainOptions, {
      corpus: fx.corpus, heldout: fx.heldout, vocabSize: 300, tokenizerChars: 0, contextLength: 16, layers: 1, heads: 2, dModel: 16,
      batch: 8, steps: 40, lr: 1e-2, minLr: 1e-3, warmupSteps: 5, evalEvery: 1, evalWindows: 16, saveEvery: 0, seed: 3,
    });
  });
  afterAll(() => fx.cleanup());

  it("warms up linearly, then decays along a cosine to minLr", () => {
    const s = { lr: 1, minLr: 0.1, warmupSteps: 4, totalSteps: 14 };
    expect([0, 1, 3].map((t) => cosineLr(t, s))).toEqual([0.25, 0.5, 1]);
    expect(cosineLr(4, s)).toBeCloseTo(1, 12);
    expect(cosineLr(9, s)).toBeCloseTo(0.55, 12); // halfway: minLr + (lr - minLr) / 2
    expect(cosineLr(14, s)).toBeCloseTo(0.1, 12);
  });

  it("refuses a width that does not split over the heads, and a schedule that rises, before it trains a tokenizer, in startRun's words", async () => {
    const store = new FolderCheckpointStore(path.join(fx.dir, "refused"));
    const lines: string[] = [];
    const refusal = (over: Partial<PretrainConfig>) => runPretrain({ ...tiny, ...over, out: "refused" }, { store, backend: "wasm", log: (line) => lines.push(line) }).catch((e: unknown) => e);
    const refused = await refusal({ dModel: 15 });
    expect(refused).toBeInstanceOf(OptionError);
    expect((refused as OptionError).message).toBe("dModel 15 must be divisible by heads 2");
    expect(((await refusal({ minLr: 0.05 })) as OptionError).message).toBe(
      "minLr 0.05 must not exceed lr 0.01: after warm-up the learning rate would rise from lr to minLr instead of decaying; set minLr below lr (or equal, for a constant rate)",
    );
    expect(lines.filter((l) => l.startsWith("tokenizer:"))).toEqual([]);
  });

  it("lowers the held-out loss on a tiny corpus and writes a base checkpoint", async () => {
    const store = new FolderCheckpointStore(path.join(fx.dir, "fresh"));
    const val: number[] = [];
    const out = await runPretrain({ ...tiny, out: "tiny-base" }, { store, backend: "wasm", ...quiet, onStep: async (_, m) => void (m["loss/val"] !== undefined && val.push(m["loss/val"])) });
    expect(val).toHaveLength(40);
    expect(val[0]).toBeGreaterThan(5); // about ln(300) at the start
    expect(val.at(-1)!).toBeLessThan(val[0] - 2);
    expect(out.record?.kind).toBe("base");
    const { model, meta } = await loadCheckpoint(store, "tiny-base");
    expect(meta.trainingConfig).toMatchObject({ command: "pretrain", steps: 40, seed: 3 });
    disposeModel(model);
  });

  it("resumes after a crash with the same step counter, optimizer state and loss curve", async () => {
    const cfg = { ...tiny, out: "r", steps: 12, evalEvery: 0, saveEvery: 5 };
    const whole = await runPretrain(cfg, { store: new FolderCheckpointStore(path.join(fx.dir, "whole")), backend: "wasm", ...quiet });

    const store = new FolderCheckpointStore(path.join(fx.dir, "crashed"));
    const crashed = await runPretrain({ ...cfg, stopAfter: 7 }, { store, backend: "wasm", ...quiet });
    expect(crashed.record).toBeNull(); // steps 6-7 are lost, as in a real crash
    const saved = await loadTrainingState(store, "r");
    expect(saved.state.step).toBe(5);
    expect(saved.optimizer.step).toBe(5);
    disposeModel(saved.model);
    // A resumed run takes everything but the operational flags from the saved state.
    const resumed = await runPretrain({ ...cfg, lr: 123, resume: true }, { store, backend: "wasm", ...quiet });

    expect(resumed.step).toBe(12);
    expect(resumed.lossHistory).toHaveLength(12);
    resumed.lossHistory.forEach((l, i) => expect(l).toBeCloseTo(whole.lossHistory[i], 5));
    const a = await loadCheckpoint(store, "r");
    const b = await loadCheckpoint(new FolderCheckpointStore(path.join(fx.dir, "whole")), "r");
    for (const [name, p] of Object.entries(a.model.params)) {
      const x = p.dataSync();
      const y = b.model.params[name].dataSync();
      for (let i = 0; i < x.length; i += 7) expect(x[i]).toBeCloseTo(y[i], 5);
    }
    disposeModel(a.model);
    disposeModel(b.model);
  });

  it("resumes after the process is killed (SIGKILL) mid-run, on the uninterrupted loss curve", async () => {
    const cfg = { ...tiny, out: "k", steps: 60, evalEvery: 0, saveEvery: 4 };
    const whole = await runPretrain(cfg, { store: new FolderCheckpointStore(path.join(fx.dir, "k-whole")), backend: "wasm", ...quiet });

    const root = path.join(fx.dir, "k-killed");
    const preset = path.join(fx.dir, "k.json");
    await fs.writeFile(preset, JSON.stringify({ ...cfg, backend: "wasm" }));
    const repo = fileURLToPath(new URL("..", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "trainer/cli.ts", "pretrain", `--preset=${preset}`], {
      cwd: repo,
      env: { ...process.env, CHECKPOINT_DIR: root },
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    const stateFile = path.join(root, "k-resume", "trainer_state.json");
    let killedAt = 0;
    for (let i = 0; i < 3000 && !killedAt; i++) {
      const step = await fs.readFile(stateFile, "utf8").then((t) => JSON.parse(t).step as number, () => 0);
      if (step >= 8) {
        child.kill("SIGKILL");
        killedAt = step;
      } else await new Promise((r) => setTimeout(r, 20));
    }
    await exited;
    expect(killedAt).toBeGreaterThanOrEqual(8);
    const store = new FolderCheckpointStore(root);
    expect(await store.list()).not.toContain("k"); // killed before its final checkpoint
    const resumed = await runPretrain({ ...cfg, resume: true }, { store, backend: "wasm", ...quiet });
    expect(resumed.step).toBe(60);
    resumed.lossHistory.forEach((l, i) => expect(l).toBeCloseTo(whole.lossHistory[i], 5));
  }, 120_000);
});
