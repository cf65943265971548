/**
 * Every run kind's config as the web app's run form shows and checks it: the kind's CLI options
 * (default and help per key, the same table the job resolves the run's config with) and the
 * job-level keys the handler reads itself. Written to lib/runs/config-catalog.json, which the
 * web app imports (it never loads trainer code); trainer/config-catalog.test.ts fails when the
 * file is stale: refresh it with `npx tsx trainer/config-catalog.ts`.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { OptionTable } from "@/lib/config/options";
import type { RunConfigCatalog } from "@/lib/runs/config-catalog";
import { dpoOptions } from "./dpo";
import { evalOptions } from "./eval";
import { ppoOptions } from "./ppo/config";
import { pretrainOptions } from "./pretrain";
import { rewardOptions } from "./reward";
import { sftOptions } from "./sft";

const without = (table: OptionTable, ...keys: string[]): OptionTable => Object.fromEntries(Object.entries(table).filter(([k]) => !keys.includes(k)));

export function buildConfigCatalog(): RunConfigCatalog {
  return {
    reward: {
      options: rewardOptions,
      extra: { data: "a preference JSONL file on the worker instead of the snapshot", snapshotId: "the dataset snapshot (the form's snapshot field sets it)", base: "store key of the checkpoint to start from; else the run's parent checkpoint" },
    },
    dpo: {
      options: dpoOptions,
      extra: { data: "a preference JSONL file on the worker instead of the snapshot", snapshotId: "the dataset snapshot (the form's snapshot field sets it)", sft: "store key of the SFT checkpoint (policy and reference); else the run's parent checkpoint" },
    },
    ppo: {
      options: ppoOptions,
      extra: {
        sft: "store key of the SFT checkpoint (policy and reference); else the run's parent checkpoint",
        reward: "store key of the reward model (required)",
        prompts: "a prompts file on the worker (first source of prompts)",
        campaignId: "take the prompts of this campaign (second source)",
        promptLimit: "with campaignId: at most this many prompts",
        snapshotId: "take the snapshot's distinct prompts (third source; the form's snapshot field sets it)",
        ptxData: "pretraining text for PPO-ptx on the worker; default the committed corpus",
      },
    },
    sft: { options: without(sftOptions, "resume"), extra: {} },
    pretrain: { options: without(pretrainOptions, "resume"), extra: {} },
    eval: {
      options: evalOptions,
      extra: { policy: "store key of policy A", baseline: "store key of baseline B", reward: "store key of the reward model that judges", prompts: "a prompts file on the worker", text: "held-out text for perplexity on the worker" },
    },
  };
}

export const catalogFile = fileURLToPath(new URL("../lib/runs/config-catalog.json", import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Under one key: tsx turns a JSON file's top-level keys into variables, and "eval" cannot be one.
  writeFileSync(catalogFile, `${JSON.stringify({ kinds: buildConfigCatalog() }, null, 2)}\n`);
  console.log(`wrote ${catalogFile}`);
}
