/**
 * What a researcher usually starts after a run that succeeded, as links to the runs form filled
 * in, along the pipeline: a base model -> SFT from it; an SFT model -> a reward model from it; a
 * reward model -> PPO against it; a PPO or DPO policy -> its evaluation against the SFT model it
 * started from, and new pairs of its answers for labeling (the loop back). The form shows the
 * prefilled kind, checkpoint, snapshot and config, to be checked and started by hand.
 */
import { z } from "zod";
import type { Run } from "@/db/schema";
import { runInputs } from "./inputs";
import type { RunLineage } from "./lineage";
import type { RunKind } from "./schema";

export type NextStep = { label: string; description: string; href: string };

/** The runs form's prefill, as `/research/runs` reads it from the URL. */
export type RunFormPrefill = { kind: string; checkpointId?: string; snapshotId?: string; config: Record<string, unknown> };

export function runFormHref({ kind, checkpointId, snapshotId, config }: RunFormPrefill): string {
  const q = new URLSearchParams({ kind });
  if (checkpointId) q.set("checkpoint", checkpointId);
  if (snapshotId) q.set("snapshot", snapshotId);
  q.set("config", JSON.stringify(config));
  return `/research/runs?${q}`;
}

/** The next steps after `run`, from its lineage; none unless it succeeded and produced a checkpoint. */
export function nextSteps(run: Pick<Run, "kind" | "status" | "snapshotId" | "config" | "outputCheckpointId">, lineage: RunLineage): NextStep[] {
  const made = lineage.produced.find((c) => c.id === run.outputCheckpointId) ?? lineage.produced.at(-1);
  if (run.status !== "succeeded" || !made) return [];
  const input = (...roles: string[]) => roles.map((role) => lineage.inputs.find((i) => i.role === role)).find((i) => i !== undefined);
  if (run.kind === "pretrain") {
    return [{ label: "Fine-tune it on demonstrations (SFT)", description: `sft from ${made.storeKey}`, href: runFormHref({ kind: "sft", checkpointId: made.id, config: {} }) }];
  }
  if (run.kind === "sft") {
    return [{ label: "Train a reward model from it", description: `reward from ${made.storeKey}, on a snapshot you pick`, href: runFormHref({ kind: "reward", checkpointId: made.id, config: {} }) }];
  }
  if (run.kind === "reward") {
    // PPO starts from the model the reward model was trained from (normally the SFT model).
    const from = input("config.base", "parent");
    const prefill: RunFormPrefill = { kind: "ppo", snapshotId: run.snapshotId ?? undefined, config: { reward: made.storeKey } };
    if (from?.checkpoint) prefill.checkpointId = from.checkpoint.id;
    else if (from) prefill.config = { sft: from.storeKey, ...prefill.config };
    return [{ label: "Train a policy against it (PPO)", description: `ppo from ${from?.storeKey ?? "a checkpoint you pick"} with reward ${made.storeKey}${run.snapshotId ? ", on the same snapshot's prompts" : ""}`, href: runFormHref(prefill) }];
  }
  if (run.kind === "ppo" || run.kind === "dpo") {
    // A DPO policy has no reward model of its own: its eval asks for one, its pairs come unordered.
    const sft = input("config.sft", "parent");
    const reward = input("config.reward");
    if (!sft || (run.kind === "ppo" && !reward)) return [];
    const judge = reward ? { reward: reward.storeKey } : {};
    const steps: NextStep[] = [
      {
        label: "Evaluate it against its SFT model",
        description: `eval of ${made.storeKey} against ${sft.storeKey}, judged by ${reward ? reward.storeKey : 'a reward model you name in "reward"'}`,
        href: runFormHref({ kind: "eval", checkpointId: made.id, config: { baseline: sft.storeKey, ...judge } }),
      },
    ];
    // The campaign its prompts came from: the config's, else the snapshot's when it froze exactly one.
    const campaignId = typeof run.config.campaignId === "string" ? run.config.campaignId : lineage.snapshot?.campaigns.length === 1 ? lineage.snapshot.campaigns[0]!.id : null;
    if (campaignId) {
      steps.push({
        label: "Pairs of its answers for labeling",
        description: `generate-pairs: its answer against ${sft.storeKey}'s for the campaign's prompts, ${reward ? `the ones ${reward.storeKey} is least sure about served first` : `in the campaign's order (name a reward model in "reward" to serve the closest first)`}`,
        href: runFormHref({ kind: "generate-pairs", checkpointId: made.id, config: { campaignId, baseline: sft.storeKey, ...judge } }),
      });
    }
    return steps;
  }
  return [];
}

/**
 * The usual next run for a checkpoint on its own, whatever made it (a run, the seed, an import):
 * the checkpoints page offers it in the checkpoint's row. A reward model's PPO starts from the
 * model it was trained from when it has a parent; an imported one leaves the start to the form.
 */
export function checkpointNextStep(c: { id: string; kind: string; storeKey: string; parentId: string | null }): NextStep | null {
  switch (c.kind) {
    case "base":
      return { label: "SFT from it", description: `sft from ${c.storeKey}`, href: runFormHref({ kind: "sft", checkpointId: c.id, config: {} }) };
    case "sft":
      return { label: "Reward model from it", description: `reward from ${c.storeKey}, on a snapshot you pick`, href: runFormHref({ kind: "reward", checkpointId: c.id, config: {} }) };
    case "reward":
      return {
        label: "PPO against it",
        description: `ppo with reward ${c.storeKey}, from ${c.parentId ? "the model it was trained from" : "the newest SFT model unless you pick another"}`,
        href: runFormHref({ kind: "ppo", checkpointId: c.parentId ?? undefined, config: { reward: c.storeKey } }),
      };
    case "policy":
      return { label: "Evaluate it", description: `eval of ${c.storeKey}: pick its baseline and reward model`, href: runFormHref({ kind: "eval", checkpointId: c.id, config: {} }) };
    default:
      return null;
  }
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * After a run that failed or was cancelled: the runs form filled in as it was started (kind, checkpoint,
 * snapshot, config), to be fixed and started again; null for other runs and for kinds the form does not offer.
 */
export function againStep(run: Pick<Run, "kind" | "status" | "parentCheckpointId" | "snapshotId" | "config">): NextStep | null {
  if ((run.status !== "failed" && run.status !== "cancelled") || !(run.kind in runInputs) || runInputs[run.kind as RunKind].internal) return null;
  // startRun copies the snapshot field into the config; the form sets it from its own field.
  const { snapshotId, ...rest } = run.config;
  const config = run.snapshotId && snapshotId === run.snapshotId ? rest : run.config;
  return {
    label: "Start it again",
    description: `${run.kind} with this run's inputs and config, to change before starting`,
    href: runFormHref({ kind: run.kind, checkpointId: run.parentCheckpointId ?? undefined, snapshotId: run.snapshotId ?? undefined, config }),
  };
}

/**
 * The prefill a `/research/runs` URL asks for (as runFormHref writes it), or null: an unknown kind
 * gives none, and a malformed id or config is dropped rather than shown.
 */
export function readRunFormPrefill(params: Record<string, string | string[] | undefined>, kinds: string[]): RunFormPrefill | null {
  const kind = one(params.kind);
  if (!kind || !kinds.includes(kind)) return null;
  const id = (v: string | undefined) => (z.uuid().safeParse(v).success ? v : undefined);
  let config: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(one(params.config) ?? "{}");
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) config = parsed as Record<string, unknown>;
  } catch {
    // not JSON: an empty config
  }
  return { kind, checkpointId: id(one(params.checkpoint)), snapshotId: id(one(params.snapshot)), config };
}
