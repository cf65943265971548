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
import { generatePairsOptions } from "./jobs/generate-pairs-options";
import { dpoJobKeys, evalJobKeys, generatePairsJobKeys, ppoJobKeys, rewardJobKeys } from "./jobs/job-keys";
import { evalOptions } from "./eval";
import { ppoOptions } from "./ppo/config";
import { pretrainOptions } from "./pretrain";
import { rewardOptions } from "./reward";
import { sftOptions } from "./sft";

const without = (table: OptionTable, ...keys: string[]): OptionTable => Object.fromEntries(Object.entries(table).filter(([k]) => !keys.includes(k)));

export function buildConfigCatalog(): RunConfigCatalog {
  return {
    reward: { options: rewardOptions, extra: rewardJobKeys },
    dpo: { options: dpoOptions, extra: dpoJobKeys },
    ppo: { options: ppoOptions, extra: ppoJobKeys },
    sft: { options: without(sftOptions, "resume"), extra: {} },
    pretrain: { options: without(pretrainOptions, "resume"), extra: {} },
    eval: { options: evalOptions, extra: evalJobKeys },
    "generate-pairs": { options: generatePairsOptions, extra: generatePairsJobKeys },
  };
}

export const catalogFile = fileURLToPath(new URL("../lib/runs/config-catalog.json", import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Under one key: tsx turns a JSON file's top-level keys into variables, and "eval" cannot be one.
  writeFileSync(catalogFile, `${JSON.stringify({ kinds: buildConfigCatalog() }, null, 2)}\n`);
  console.log(`wrote ${catalogFile}`);
}
