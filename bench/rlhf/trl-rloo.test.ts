import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childProcessEnv, env } from "@/lib/env";
import { initBackend } from "@/trainer/backend";
import { FolderCheckpointStore } from "@/trainer/checkpoint";
import { corpusFiles, readSftJsonl } from "@/trainer/data/corpus";
import { trainRewardModel } from "@/trainer/reward";
import { installShippedCheckpoints, shippedSftId } from "@/trainer/shipped";

// bench:trl-rloo's three steps (prepare, TRL's RLOO, Pairwise's eval of what TRL trained), run
// end to end on the CPU at a toy size. The bench proper needs a GPU; this checks that its parts
// still fit together: the checkpoints TRL loads, the prompts it trains on, and the folder it
// saves, imported back and judged. Skipped, saying why, where HF_PYTHON has no TRL.
const python = env.HF_PYTHON;
const probe = python ? spawnSync(python, ["-c", "from trl import RLOOTrainer"], { encoding: "utf8" }) : null;
const missing = !python ? "HF_PYTHON is not set" : probe!.status === 0 ? null : `${python} cannot import TRL's RLOOTrainer: ${(probe!.stderr || String(probe!.error)).trim().split("\n").at(-1)}`;
if (missing) console.warn(`trl-rloo bench test skipped: ${missing}`);

const bench = (args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "--conditions=react-server", "bench/rlhf/trl-rloo.ts", ...args], { encoding: "utf8", timeout: 300_000, env: childProcessEnv() });

describe.skipIf(missing !== null)("bench:trl-rloo on the CPU at toy size", () => {
  let store: string;
  let work: string;

  beforeAll(async () => {
    await initBackend("wasm");
    store = await mkdtemp(path.join(tmpdir(), "pairwise-trl-rloo-store-"));
    work = await mkdtemp(path.join(tmpdir(), "pairwise-trl-rloo-"));
    const checkpoints = new FolderCheckpointStore(store);
    await installShippedCheckpoints(checkpoints);
    // A reward model that prefers the corpus's glosses to a fixed non-answer: enough for TRL to
    // load and score with, at a few seconds' training.
    const rows = readSftJsonl(corpusFiles().sftTrain)
      .slice(0, 16)
      .map((e) => ({ prompt: e.prompt, chosen: e.response, rejected: "I do not know." }));
    await trainRewardModel({ rows, baseCheckpointId: shippedSftId, store: checkpoints, outputId: "demo-rm", config: { epochs: 1, batchSize: 8, lr: 3e-4 } });
  }, 120_000);
  afterAll(async () => {
    await rm(store, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it("prepares the PPO phase's prompts, trains with TRL's RLOOTrainer, and evaluates the result against demo-sft", () => {
    const prepared = bench(["--prepare", work, "--store", store]);
    expect(prepared.status, prepared.stderr.slice(-3000)).toBe(0);
    const prompts = JSON.parse(readFileSync(path.join(work, "prompts.json"), "utf8")) as string[];
    // bench:ppo-demo judges the first 700 training headwords and runs PPO on the rest.
    expect(prompts.length).toBe(readSftJsonl(corpusFiles().sftTrain).length - 700);
    expect(existsSync(path.join(work, shippedSftId, "config.json"))).toBe(true);

    // Two updates of 2 prompts x 4 samples, with a learning rate large enough to move the policy.
    const run = { per_device_train_batch_size: 8, max_steps: 2, logging_steps: 1, learning_rate: 1e-3 };
    const trained = spawnSync(python!, ["bench/rlhf/trl-rloo.py", work, "--run", `toy:${JSON.stringify(run)}`, "--device", "cpu", "--minutes", "4"], {
      encoding: "utf8",
      timeout: 300_000,
      env: childProcessEnv({ HF_HUB_OFFLINE: "1" }),
    });
    expect(trained.status, trained.stderr.slice(-3000)).toBe(0);
    expect(trained.stdout).toMatch(/^toy: 2 updates in /m);
    const logged = readFileSync(path.join(work, "toy.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, number>);
    expect(logged.filter((l) => "loss" in l).map((l) => l.step)).toEqual([1, 2]);

    const judged = bench(["--evaluate", path.join(work, "toy"), "--store", store, "--eval-prompts", "6"]);
    expect(judged.status, judged.stderr.slice(-3000)).toBe(0);
    expect(judged.stdout).toContain(`trl-toy against ${shippedSftId}, judged by demo-rm, on 6 held-out headwords:`);
    // The table's rows: A (what TRL trained), B (demo-sft), best-of-4 and best-of-16 from B. TRL's
    // two updates moved A away from demo-sft; B is demo-sft itself, at no KL.
    const klToB = (label: string) => {
      const row = judged.stdout.split("\n").find((l) => l.startsWith(label));
      expect(row, judged.stdout).toBeDefined();
      return Number(row!.slice(label.length).trim().split(/\s+/)[3]);
    };
    expect(klToB("A trl-toy")).toBeGreaterThan(0.1);
    expect(klToB(`B ${shippedSftId}`)).toBe(0);
    expect(klToB("best-of-4 B")).toBeCloseTo(Math.log(4) - 3 / 4, 3);
    expect(judged.stdout).toMatch(/^KL-optimal policy at A's KL/m);
  }, 600_000);
});
