import { describe, expect, it } from "vitest";
import { checkRunConfig } from "./config-catalog";
import type { CheckpointRef, RunLineage } from "./lineage";
import { againStep, checkpointNextStep, nextSteps, readRunFormPrefill, runFormHref } from "./next-steps";

const SFT: CheckpointRef = { id: "11111111-1111-4111-8111-111111111111", name: "demo-sft", kind: "sft", storeKey: "demo-sft", runId: null };
const RM: CheckpointRef = { id: "22222222-2222-4222-8222-222222222222", name: "reward-ab12cd34", kind: "reward", storeKey: "reward-ab12cd34", runId: "r1" };
const POLICY: CheckpointRef = { id: "33333333-3333-4333-8333-333333333333", name: "ppo-ef56ab78", kind: "policy", storeKey: "ppo-ef56ab78", runId: "r2" };
const SNAPSHOT = "44444444-4444-4444-8444-444444444444";
const CAMPAIGN = "55555555-5555-4555-8555-555555555555";

const lineage = (inputs: RunLineage["inputs"], produced: RunLineage["produced"][number][], campaigns = [{ id: CAMPAIGN, name: "Demo" }]): RunLineage => ({
  snapshot: { id: SNAPSHOT, name: "snap", contentHash: "h", rows: 36, campaigns },
  inputs,
  produced,
  addedTo: null,
  configCampaign: null,
  dataFile: null,
});
const made = (c: CheckpointRef) => ({ ...c, usedBy: [], pairs: [] });
/** A step's link, read back as the runs page reads it. */
const prefill = (href: string) => readRunFormPrefill(Object.fromEntries(new URL(href, "http://x").searchParams), ["sft", "reward", "ppo", "eval", "generate-pairs"]);

describe("next steps after a run", () => {
  it("after a reward run: PPO from the checkpoint it was trained from, on the same snapshot, against the new reward model", () => {
    const steps = nextSteps({ kind: "reward", status: "succeeded", outputCheckpointId: null, snapshotId: SNAPSHOT, config: {} }, lineage([{ role: "parent", storeKey: SFT.storeKey, checkpoint: SFT }], [made(RM)]));
    expect(steps.map((s) => s.label)).toEqual(["Train a policy against it (PPO)"]);
    expect(prefill(steps[0]!.href)).toEqual({ kind: "ppo", checkpointId: SFT.id, snapshotId: SNAPSHOT, config: { reward: RM.storeKey } });
    // trained from an unregistered store key: PPO names it in its config instead
    const byKey = nextSteps({ kind: "reward", status: "succeeded", outputCheckpointId: null, snapshotId: null, config: { base: "my-sft" } }, lineage([{ role: "config.base", storeKey: "my-sft", checkpoint: null }], [made(RM)]));
    expect(prefill(byKey[0]!.href)).toEqual({ kind: "ppo", checkpointId: undefined, snapshotId: undefined, config: { sft: "my-sft", reward: RM.storeKey } });
  });

  it("after a PPO run: its evaluation against the SFT model, and pairs of its answers for the snapshot's one campaign", () => {
    const inputs = [
      { role: "parent", storeKey: SFT.storeKey, checkpoint: SFT },
      { role: "config.reward", storeKey: RM.storeKey, checkpoint: RM },
    ];
    const steps = nextSteps({ kind: "ppo", status: "succeeded", outputCheckpointId: null, snapshotId: SNAPSHOT, config: { reward: RM.storeKey } }, lineage(inputs, [made(POLICY)]));
    expect(steps.map((s) => prefill(s.href))).toEqual([
      { kind: "eval", checkpointId: POLICY.id, snapshotId: undefined, config: { baseline: SFT.storeKey, reward: RM.storeKey } },
      { kind: "generate-pairs", checkpointId: POLICY.id, snapshotId: undefined, config: { campaignId: CAMPAIGN, baseline: SFT.storeKey, reward: RM.storeKey } },
    ]);
    // both configs pass the check the run form and the API run before queueing
    for (const step of steps) expect(() => checkRunConfig(prefill(step.href)!.kind, prefill(step.href)!.config)).not.toThrow();
    // the run's output checkpoint, when it also registered others (a later one here)
    const later: CheckpointRef = { ...POLICY, id: "77777777-7777-4777-8777-777777777777", storeKey: "ppo-later" };
    const [evalStep] = nextSteps({ kind: "ppo", status: "succeeded", outputCheckpointId: POLICY.id, snapshotId: null, config: {} }, lineage(inputs, [made(POLICY), made(later)]));
    expect(prefill(evalStep!.href)?.checkpointId).toBe(POLICY.id);
    // a snapshot of two campaigns names no one campaign: no pairs step; config.campaignId does
    const two = [{ id: CAMPAIGN, name: "a" }, { id: SNAPSHOT, name: "b" }];
    expect(nextSteps({ kind: "ppo", status: "succeeded", outputCheckpointId: null, snapshotId: SNAPSHOT, config: {} }, lineage(inputs, [made(POLICY)], two))).toHaveLength(1);
    const fromCampaign = nextSteps({ kind: "ppo", status: "succeeded", outputCheckpointId: null, snapshotId: null, config: { campaignId: SNAPSHOT } }, lineage(inputs, [made(POLICY)], two));
    expect(prefill(fromCampaign[1]!.href)?.config.campaignId).toBe(SNAPSHOT);
  });

  it("after a DPO run: its evaluation against the SFT model it started from, naming no reward model, and pairs of its answers", () => {
    // A succeeded DPO run's page used to offer nothing, though its policy wants the same next steps as PPO's.
    const steps = nextSteps({ kind: "dpo", status: "succeeded", outputCheckpointId: null, snapshotId: SNAPSHOT, config: {} }, lineage([{ role: "parent", storeKey: SFT.storeKey, checkpoint: SFT }], [made(POLICY)]));
    expect(steps.map((s) => s.label)).toEqual(["Evaluate it against its SFT model", "Pairs of its answers for labeling"]);
    expect(steps.map((s) => prefill(s.href))).toEqual([
      { kind: "eval", checkpointId: POLICY.id, snapshotId: undefined, config: { baseline: SFT.storeKey } },
      { kind: "generate-pairs", checkpointId: POLICY.id, snapshotId: undefined, config: { campaignId: CAMPAIGN, baseline: SFT.storeKey } },
    ]);
    expect(steps[0]!.description).toBe('eval of ppo-ef56ab78 against demo-sft, judged by a reward model you name in "reward"');
    for (const step of steps) expect(() => checkRunConfig(prefill(step.href)!.kind, prefill(step.href)!.config)).not.toThrow();
  });

  it("after pretraining, SFT from the new model; after SFT, a reward model from it", () => {
    const BASE: CheckpointRef = { ...SFT, id: "66666666-6666-4666-8666-666666666666", name: "pretrain-1", kind: "base", storeKey: "pretrain-1" };
    const [sft] = nextSteps({ kind: "pretrain", status: "succeeded", outputCheckpointId: null, snapshotId: null, config: {} }, lineage([], [made(BASE)]));
    expect([sft!.label, prefill(sft!.href)]).toEqual(["Fine-tune it on demonstrations (SFT)", { kind: "sft", checkpointId: BASE.id, snapshotId: undefined, config: {} }]);
    const [reward] = nextSteps({ kind: "sft", status: "succeeded", outputCheckpointId: null, snapshotId: null, config: {} }, lineage([{ role: "parent", storeKey: BASE.storeKey, checkpoint: BASE }], [made(SFT)]));
    expect(prefill(reward!.href)).toEqual({ kind: "reward", checkpointId: SFT.id, snapshotId: undefined, config: {} });
  });

  it("none for a run that did not succeed or made no checkpoint, or a kind without a usual next step", () => {
    const inputs = [{ role: "parent", storeKey: SFT.storeKey, checkpoint: SFT }];
    expect(nextSteps({ kind: "reward", status: "failed", outputCheckpointId: null, snapshotId: null, config: {} }, lineage(inputs, [made(RM)]))).toEqual([]);
    expect(nextSteps({ kind: "reward", status: "succeeded", outputCheckpointId: null, snapshotId: null, config: {} }, lineage(inputs, []))).toEqual([]);
    expect(nextSteps({ kind: "generate-pairs", status: "succeeded", outputCheckpointId: null, snapshotId: null, config: {} }, lineage(inputs, [made(POLICY)]))).toEqual([]);
  });

  it("reads a runs form URL back, dropping what is malformed", () => {
    const href = runFormHref({ kind: "eval", checkpointId: POLICY.id, config: { baseline: "a&b=c", reward: "r" } });
    expect(href).toMatch(/^\/research\/runs\?kind=eval&checkpoint=/);
    expect(prefill(href)).toEqual({ kind: "eval", checkpointId: POLICY.id, snapshotId: undefined, config: { baseline: "a&b=c", reward: "r" } });
    expect(readRunFormPrefill({ kind: "nope" }, ["eval"])).toBeNull();
    expect(readRunFormPrefill({}, ["eval"])).toBeNull();
    expect(readRunFormPrefill({ kind: ["eval", "ppo"], checkpoint: "not-a-uuid", snapshot: SNAPSHOT, config: "[1,2]" }, ["eval"])).toEqual({ kind: "eval", checkpointId: undefined, snapshotId: SNAPSHOT, config: {} });
    expect(readRunFormPrefill({ kind: "eval", config: "{oops" }, ["eval"])?.config).toEqual({});
  });
});

describe("the next step from a checkpoint on its own (the checkpoints page)", () => {
  it("a reward model: PPO against it, from its parent when it has one, else from a checkpoint the form asks for", () => {
    expect(prefill(checkpointNextStep({ ...RM, parentId: SFT.id })!.href)).toEqual({ kind: "ppo", checkpointId: SFT.id, config: { reward: RM.storeKey } });
    const imported = checkpointNextStep({ ...RM, storeKey: "trl-rm", parentId: null })!;
    expect(imported.label).toBe("PPO against it");
    expect(prefill(imported.href)).toEqual({ kind: "ppo", config: { reward: "trl-rm" } });
  });

  it("base -> SFT, SFT -> a reward model, a policy -> its evaluation, each from the checkpoint", () => {
    expect(prefill(checkpointNextStep({ ...SFT, kind: "base", parentId: null })!.href)).toEqual({ kind: "sft", checkpointId: SFT.id, config: {} });
    expect(prefill(checkpointNextStep({ ...SFT, parentId: null })!.href)).toEqual({ kind: "reward", checkpointId: SFT.id, config: {} });
    expect(prefill(checkpointNextStep({ ...POLICY, parentId: SFT.id })!.href)).toEqual({ kind: "eval", checkpointId: POLICY.id, config: {} });
    expect(checkpointNextStep({ ...POLICY, kind: "value", parentId: null })).toBeNull();
  });
});

describe("starting a run again", () => {
  it("after a failed or cancelled run: the form filled in with its kind, checkpoint, snapshot and config; none after one that succeeded or runs, or of a kind the form does not offer", () => {
    const run = { kind: "reward", status: "failed" as const, parentCheckpointId: SFT.id, snapshotId: SNAPSHOT, config: { epochs: 2, batchSize: 4, snapshotId: SNAPSHOT } };
    const step = againStep(run);
    expect(step?.label).toBe("Start it again");
    // The snapshot goes in its own field, as the form sent it, not in the config as well.
    expect(prefill(step!.href)).toEqual({ kind: "reward", checkpointId: SFT.id, snapshotId: SNAPSHOT, config: { epochs: 2, batchSize: 4 } });
    expect(prefill(againStep({ ...run, status: "cancelled" })!.href)).toEqual(prefill(step!.href));
    // Through the API a snapshot can be named in the config alone: it stays there.
    expect(prefill(againStep({ ...run, snapshotId: null })!.href)).toEqual({ kind: "reward", checkpointId: SFT.id, snapshotId: undefined, config: run.config });
    for (const status of ["succeeded", "running", "queued"] as const) expect(againStep({ ...run, status })).toBeNull();
    expect(againStep({ ...run, kind: "playground", snapshotId: null, parentCheckpointId: null })).toBeNull();
  });
});
