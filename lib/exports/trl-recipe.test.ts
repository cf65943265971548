import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childProcessEnv, env } from "@/lib/env";
import { leaseTasks, submitJudgment } from "@/lib/labeling/queue";
import { createSnapshot } from "@/lib/snapshots/snapshots";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { makeUser } from "@/lib/testing/fixtures";
import { initBackend } from "@/trainer/backend";
import { FolderCheckpointStore, loadCheckpoint } from "@/trainer/checkpoint";
import { importHf } from "@/trainer/hf-import";
import { disposeModel } from "@/trainer/model";
import { formatExample } from "@/trainer/prompt-format";
import { scoreTexts } from "@/trainer/score";
import { shippedCheckpointDir, shippedSftId } from "@/trainer/shipped";
import { exportHfDatasetFolder } from "./exports";
import { exportQuerySchema } from "./schema";

// The recipe the hf-dataset export ships, run with TRL itself on the CPU. HF_PYTHON names a python
// whose environment has trl (.ci/run builds one from the machine's wheel mirror); without it this
// file is skipped and says why.
const python = env.HF_PYTHON;
const probe = python ? spawnSync(python, ["-c", "import trl, datasets, transformers"], { encoding: "utf8" }) : null;
const missing = !python ? "HF_PYTHON is not set" : probe!.status === 0 ? null : `${python} cannot import trl and datasets: ${(probe!.stderr || String(probe!.error)).trim().split("\n").at(-1)}`;
if (missing) console.warn(`TRL recipe test skipped: ${missing}`);
const cuda = !missing && spawnSync(python!, ["-c", "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"]).status === 0;

const SCORE_PY = `
import json, sys, torch
from transformers import AutoTokenizer, AutoModelForSequenceClassification
tok = AutoTokenizer.from_pretrained(sys.argv[1])
model = AutoModelForSequenceClassification.from_pretrained(sys.argv[1]).eval()
with torch.no_grad():
    print(json.dumps([model(**tok(t, return_tensors="pt")).logits[0, 0].item() for t in json.loads(sys.argv[2])]))
`;

/** The venv's bin folder (trl, python3) ahead of the rest of the PATH. */
const withPythonFirst = (e: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...e, PATH: `${path.dirname(python!)}:${e.PATH ?? ""}` });

describe.skipIf(missing !== null)("the hf-dataset export's TRL recipe, run with TRL (CPU)", () => {
  let dir: string;
  let dataset: string;
  /** The recipe as a user runs it: the venv's trl and python3 first on the PATH, demo-sft as MODEL_DIR. */
  const recipe = (script: string) =>
    spawnSync("bash", [path.join(dataset, "recipe", script)], {
      encoding: "utf8",
      timeout: 300_000,
      env: withPythonFirst(childProcessEnv({ MODEL_DIR: path.join(shippedCheckpointDir, shippedSftId), OUT_DIR: path.join(dir, "out"), HF_HUB_OFFLINE: "1" })),
    });

  beforeAll(async () => {
    await initBackend("wasm");
    dir = await mkdtemp(path.join(tmpdir(), "pairwise-trl-"));
    // Twelve pairs, each judged once: "short i" over "a longer answer i".
    const { campaign } = await makeCampaign({ pairCount: 12, overlap: 1, settings: { askStrength: false } });
    const labeler = await makeUser();
    for (;;) {
      const [task] = await leaseTasks({ campaign, labeler, count: 1 });
      if (!task) break;
      await submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: task.assignmentId, choice: task.left.text.startsWith("short") ? "left" : "right" } });
    }
    const snapshot = await createSnapshot({ input: { name: "trl recipe", filters: { campaignIds: [campaign.id] } }, actorId: null });
    dataset = path.join(dir, "dataset");
    await exportHfDatasetFolder({ snapshotId: snapshot.id, query: exportQuerySchema.parse({ format: "hf-dataset" }), actor: { id: null, role: "admin" }, dir: dataset });
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("recipe/trl_reward.sh trains a reward model from demo-sft that imports back as one and scores as transformers does", async () => {
    const run = recipe("trl_reward.sh");
    expect(run.status, run.stderr.slice(-3000)).toBe(0);
    // Without CUDA (CI), the script itself switched TRL to the CPU; TRL refuses its bf16 default there.
    if (!cuda) expect(run.stderr).toContain("no CUDA device: training on the CPU in float32");
    const trained = path.join(dir, "out", "reward");
    const store = new FolderCheckpointStore(path.join(dir, "store"));
    expect((await importHf(trained, store, "trl-rm")).kind).toBe("reward");
    const rm = await loadCheckpoint(store, "trl-rm");
    const items = [
      { prompt: "Define: harbor", response: "A sheltered port." },
      { prompt: "prompt 3", response: "a longer answer 3" },
    ];
    const ours = scoreTexts(rm, items);
    disposeModel(rm.model);
    const py = spawnSync(python!, ["-c", SCORE_PY, trained, JSON.stringify(items.map((i) => formatExample(i.prompt, i.response)))], { encoding: "utf8" });
    expect(py.status, py.stderr.slice(-2000)).toBe(0);
    const theirs = JSON.parse(py.stdout.trim().split("\n").at(-1)!) as number[];
    ours.forEach((s, i) => expect(Math.abs(s - theirs[i]!)).toBeLessThan(1e-4));
  }, 300_000);

  it("recipe/trl_dpo.sh trains a policy from demo-sft that imports back as an SFT checkpoint", async () => {
    const run = recipe("trl_dpo.sh");
    expect(run.status, run.stderr.slice(-3000)).toBe(0);
    const store = new FolderCheckpointStore(path.join(dir, "store"));
    expect((await importHf(path.join(dir, "out", "dpo"), store, "trl-dpo", { kind: "sft" })).kind).toBe("sft");
  }, 300_000);
});
