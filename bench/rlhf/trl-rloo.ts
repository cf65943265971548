/**
 * `npm run bench:trl-rloo`: the demo's RLHF step done by TRL's RLOOTrainer instead of Pairwise's
 * PPO, judged by Pairwise's eval. An outside implementation, given as much compute as a GPU
 * offers, on the same reward model and prompts as `bench:ppo-demo`.
 *
 *   --prepare DIR --store STORE    copy demo-sft and demo-rm from a bench:ppo-demo store into DIR,
 *                                  and write DIR/prompts.json: the PPO phase's prompts, formatted
 *                                  (with --train-on-eval: the held-out headwords eval judges on, a
 *                                  diagnostic of what the policy learns when it sees them, as in
 *                                  bench:ppo-demo)
 *   python3 bench/rlhf/trl-rloo.py DIR --run NAME:JSON ...   (on a host with torch, TRL, a GPU)
 *   --evaluate DIR/NAME --store STORE   import the trained folder into STORE as trl-NAME and run
 *                                  eval against demo-sft, judged by demo-rm, on the held-out
 *                                  headwords, with best-of-4 and best-of-16 from demo-sft
 */
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { rules } from "@/lib/config/options";
import { cliNumber, parseCliArgs, refuseCli } from "@/scripts/lib/cli-args";
import { initBackend } from "@/trainer/backend";
import { FolderCheckpointStore } from "@/trainer/checkpoint";
import { corpusFiles, readCorpusDocs, readSftJsonl } from "@/trainer/data/corpus";
import { evaluatePolicies } from "@/trainer/eval";
import { importHf } from "@/trainer/hf-import";
import { formatPrompt } from "@/trainer/prompt-format";
import { shippedSftId } from "@/trainer/shipped";
import { demoEvalPrompts } from "./eval-prompts";

const USAGE = [
  "Usage: npm run bench:trl-rloo -- --prepare DIR --store STORE [--prompts N (default 700)] [--eval-prompts N (default 377)] [--train-on-eval]",
  "       npm run bench:trl-rloo -- --evaluate DIR/NAME --store STORE [--eval-prompts N (default 377)]",
].join("\n");
const { values } = parseCliArgs(
  {
    options: {
      prepare: { type: "string" },
      evaluate: { type: "string" },
      store: { type: "string" },
      prompts: { type: "string", default: "700" },
      "eval-prompts": { type: "string", default: "377" },
      "train-on-eval": { type: "boolean", default: false },
    },
  },
  USAGE,
);
const RM_ID = "demo-rm";
if (!values.store || !existsSync(path.join(values.store, RM_ID))) {
  refuseCli(`--store must name a bench:ppo-demo store holding ${RM_ID} (npm run bench:ppo-demo -- --store DIR).`, USAGE);
}
const storeDir = values.store;
const promptCount = cliNumber("prompts", values.prompts, rules.count, USAGE);
const evalPrompts = cliNumber("eval-prompts", values["eval-prompts"], rules.count, USAGE);

if (values.prepare) {
  const dir = values.prepare;
  mkdirSync(dir, { recursive: true });
  for (const id of [shippedSftId, RM_ID]) cpSync(path.join(storeDir, id), path.join(dir, id), { recursive: true });
  // bench:ppo-demo judges the first --prompts training headwords and runs PPO on the rest.
  const inputs = values["train-on-eval"]
    ? demoEvalPrompts(evalPrompts)
    : readSftJsonl(corpusFiles().sftTrain)
        .slice(promptCount)
        .map((e) => e.prompt);
  const prompts = inputs.map((p) => formatPrompt(p));
  writeFileSync(path.join(dir, "prompts.json"), JSON.stringify(prompts));
  console.log(`${dir}: ${shippedSftId}, ${RM_ID} and ${prompts.length} prompts; next: python3 bench/rlhf/trl-rloo.py ${dir} --run NAME:JSON`);
} else if (values.evaluate) {
  const folder = values.evaluate.replace(/\/$/, "");
  const id = `trl-${path.basename(folder)}`;
  const backend = await initBackend();
  const store = new FolderCheckpointStore(storeDir);
  rmSync(path.join(storeDir, id), { recursive: true, force: true });
  await importHf(folder, store, id, { kind: "sft" });
  const result = await evaluatePolicies({
    store,
    policyId: id,
    baselineId: shippedSftId,
    rewardId: RM_ID,
    prompts: demoEvalPrompts(evalPrompts),
    texts: readCorpusDocs(corpusFiles().corpusHeldout),
    config: { bestOfN: ["4", "16"], seed: 1 },
  });
  console.log(`backend ${backend}; ${id} against ${shippedSftId}, judged by ${RM_ID}, on ${result.prompts} held-out headwords:`);
  console.log(result.table);
} else {
  refuseCli("Give --prepare DIR or --evaluate DIR/NAME (the comment at the top of bench/rlhf/trl-rloo.ts says what each does).", USAGE);
}
