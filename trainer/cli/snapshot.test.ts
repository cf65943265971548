import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leaseTasks, submitJudgment } from "@/lib/labeling/queue";
import { createSnapshot } from "@/lib/snapshots/snapshots";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { childProcessEnv } from "@/lib/env";
import { makeUser } from "@/lib/testing/fixtures";
import { initBackend } from "../backend";
import { FolderCheckpointStore } from "../checkpoint";
import { saveToyCheckpoint, toyTokenizer } from "../rlhf-testing";

/** `npm run trainer -- <command> …` as a researcher runs it: a child process with its own database pool. */
function cli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ["--import", "tsx", "--conditions=react-server", "trainer/cli.ts", ...args], { encoding: "utf8", env: childProcessEnv(env), timeout: 90_000 });
}

describe("npm run trainer -- reward/dpo --snapshot (rows read from the database)", () => {
  let root: string;
  let snapshotId: string;
  beforeAll(async () => {
    await initBackend("wasm");
    root = await fs.mkdtemp(path.join(os.tmpdir(), "pairwise-cli-snapshot-"));
    await saveToyCheckpoint(new FolderCheckpointStore(root), "toy-sft", toyTokenizer(), { kind: "sft", seed: 2 });
    const { campaign } = await makeCampaign({ pairCount: 6, overlap: 1, settings: { askStrength: false } });
    const labeler = await makeUser();
    for (;;) {
      const [task] = await leaseTasks({ campaign, labeler, count: 1 });
      if (!task) break;
      await submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: task.assignmentId, choice: "left" } });
    }
    snapshotId = (await createSnapshot({ input: { name: "cli", filters: { campaignIds: [campaign.id] } }, actorId: null })).id;
  });
  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  // Each used to print its result and then hang on the open database pool until killed.
  it.each([
    ["reward", "--base=toy-sft", "saved reward model cli-reward"],
    ["dpo", "--sft=toy-sft", "cli-dpo"],
  ])("%s exits when done", (command, start, said) => {
    const r = cli([command, `--snapshot=${snapshotId}`, start, `--out=cli-${command}`, "--epochs=1", "--batchSize=2", "--valFraction=0"], { CHECKPOINT_DIR: root });
    expect(r.error, "the process was killed at the timeout: it did not exit").toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(said);
  });
});
