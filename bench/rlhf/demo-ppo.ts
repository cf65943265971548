/**
 * `npm run bench:ppo-demo`: the RLHF loop at demo size, from the shipped demo-sft to a PPO policy,
 * then the issue's comparison on held-out headwords.
 *
 * 1. Demo judgments: `--prompts` Define: prompts from the SFT training set, each pairing WordNet's
 *    gloss with an answer sampled from demo-sft; 3 simulated labelers pick the gloss 90% of the
 *    time (bench/reward-demo makes the same labels through the labeling queue and a snapshot).
 * 2. A reward model from demo-sft on them.
 * 3. PPO from demo-sft against it for `--minutes` (default 10) on the other training headwords,
 *    with PPO-ptx on the pretraining corpus.
 * 4. `eval` on held-out headwords: A = the PPO policy, B = demo-sft, best-of-4 and best-of-16 from
 *    B, perplexity on the held-out corpus; then the issue's bars, each marked met or not.
 *
 * `--ppo '{"ptxCoef":0}'` overrides PPO options (JSON, the CLI's option names) for a sweep.
 * Checkpoints go to a scratch store (printed), or to `--store DIR`: a store that already holds the
 * reward model `demo-rm` skips steps 1-2 (and ignores `--prompts`), so a sweep compares PPO
 * settings on one reward model.
 * `--train-on-eval` runs PPO on the evaluation headwords themselves: a diagnostic of how much
 * seeing the same prompts again helps, not a result.
 * Nothing touches the database.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { initBackend } from "@/trainer/backend";
import { FolderCheckpointStore } from "@/trainer/checkpoint";
import { corpusFiles, readCorpusDocs, readSftJsonl } from "@/trainer/data/corpus";
import { type EvalRow, evaluatePolicies } from "@/trainer/eval";
import { resolveConfig, rules } from "@/lib/config/options";
import { cliNumber, parseCliArgs, refuseCli } from "@/scripts/lib/cli-args";
import { ppoOptions } from "@/trainer/ppo/config";
import { trainPpo } from "@/trainer/ppo/ppo";
import { installShippedCheckpoints, shippedSftId } from "@/trainer/shipped";
import { DEMO_RM_ID, ensureDemoRewardModel } from "./demo-rm";
import { demoEvalPrompts } from "./eval-prompts";

const USAGE =
  "Usage: npm run bench:ppo-demo [-- --prompts N (default 700)] [--minutes M (default 10)] [--eval-prompts N (default 377)] [--ppo JSON (default {})] [--store DIR] [--train-on-eval]";
const { values } = parseCliArgs(
  {
    options: {
      prompts: { type: "string", default: "700" },
      minutes: { type: "string", default: "10" },
      "eval-prompts": { type: "string", default: "377" },
      ppo: { type: "string", default: "{}" },
      store: { type: "string" },
      "train-on-eval": { type: "boolean", default: false },
    },
  },
  USAGE,
);
const promptCount = cliNumber("prompts", values.prompts, rules.count, USAGE);
const minutes = cliNumber("minutes", values.minutes, rules.positive, USAGE);
const evalPrompts = cliNumber("eval-prompts", values["eval-prompts"], rules.count, USAGE);
const ppoOverrides = ppoFlag(values.ppo);

/** --ppo's JSON object of PPO options; unknown keys and wrong types are refused. */
function ppoFlag(raw: string): Record<string, unknown> {
  let overrides: unknown;
  try {
    overrides = JSON.parse(raw);
  } catch (err) {
    refuseCli(`--ppo must be a JSON object (${(err as Error).message}).`, USAGE);
  }
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) refuseCli(`--ppo must be a JSON object (got ${raw}).`, USAGE);
  try {
    resolveConfig(ppoOptions, overrides as Record<string, unknown>, "--ppo");
  } catch (err) {
    refuseCli((err as Error).message, USAGE);
  }
  return overrides as Record<string, unknown>;
}
/** The demo's PPO settings, from the sweep in docs/rlhf.md: larger batches, a lower lr, a fixed beta. */
const demoPpo = { batchSize: 32, miniBatchSize: 8, ppoEpochs: 2, lr: 1e-5, ptxCoef: 0.2, initKlCoef: 0.3, adaptiveKl: false };

const backend = await initBackend();
const root = values.store ?? mkdtempSync(path.join(tmpdir(), "pairwise-ppo-demo-"));
const store = new FolderCheckpointStore(root);
await installShippedCheckpoints(store);
console.log(`backend ${backend}; checkpoints in ${root}`);

const train = readSftJsonl(corpusFiles().sftTrain);
await ensureDemoRewardModel(store, root, promptCount, console.log);

// 3. PPO for the time budget.
const evalSet = demoEvalPrompts(evalPrompts);
const ppoPrompts = values["train-on-eval"] ? evalSet : train.slice(promptCount).map((e) => e.prompt);
let t = performance.now();
const history: Array<Record<string, number>> = [];
const ppo = await trainPpo({
  store,
  sftCheckpointId: shippedSftId,
  rewardCheckpointId: DEMO_RM_ID,
  prompts: ppoPrompts,
  ptxTexts: readCorpusDocs(corpusFiles().corpusTrain),
  config: { ...demoPpo, iterations: 1000, maxMinutes: minutes, saveEvery: 0, sampleEvery: 10, seed: 1, ...ppoOverrides },
  outputId: "demo-ppo",
  onIteration: (i, m) => {
    history.push(m);
    if (i % 5 === 1) {
      console.log(
        `   iteration ${i}: score ${m["objective/scores"]!.toFixed(3)} kl ${m["objective/kl"]!.toFixed(2)} kl_coef ${m["objective/kl_coef"]!.toFixed(3)} ` +
          `ptx ${m["loss/ptx"]?.toFixed(3)} len ${m["tokens/response_len_mean"]!.toFixed(1)} (${((performance.now() - t) / 1000).toFixed(0)} s)`,
      );
    }
  },
  log: (line) => console.log(`   ${line}`),
});
const names = Object.keys(history[0] ?? {});
const everyIteration = names.filter((n) => history.every((m) => Number.isFinite(m[n])));
console.log(`3. PPO: ${ppo.iterations} iterations in ${((performance.now() - t) / 60_000).toFixed(1)} min; ${everyIteration.length}/${names.length} metrics present and finite in every iteration; health flags: ${ppo.flags.map((f) => f.flag).join(", ") || "none"}`);

// 4. Held-out comparison.
t = performance.now();
const result = await evaluatePolicies({
  store,
  policyId: "demo-ppo",
  baselineId: shippedSftId,
  rewardId: DEMO_RM_ID,
  prompts: evalSet,
  texts: readCorpusDocs(corpusFiles().corpusHeldout),
  config: { bestOfN: ["4", "16"], seed: 1 },
});
console.log(`4. eval on ${result.prompts} held-out headwords (${((performance.now() - t) / 1000).toFixed(0)} s):`);
console.log(result.table);

const [a, b] = result.rows;
const bo4 = result.rows.find((r) => r.name === "best-of-4 B")!;
// Gain over SFT per sqrt(nat): constant along the KL-optimal frontier for a Gaussian reward (docs/rlhf.md).
// A KL estimate at or below 0 (a policy that barely moved) has none.
const efficiency = (r: EvalRow) => (r.klToBaseline > 0 ? ((r.meanScore - b!.meanScore) / Math.sqrt(r.klToBaseline)).toFixed(2) : "-");
console.log(`   gain / sqrt(KL): ${result.rows.filter((r) => r !== b).map((r) => `${r.name} ${efficiency(r)}`).join(", ")}`);
const bar = (ok: boolean, text: string) => console.log(`   ${ok ? "met    " : "NOT met"} ${text}`);
bar(a!.meanScore > b!.meanScore, `mean score on held-out prompts rises: ${b!.meanScore.toFixed(3)} -> ${a!.meanScore.toFixed(3)}`);
bar(a!.winRateVsBaseline >= 0.65, `wins >= 65% against SFT by the reward model: ${(a!.winRateVsBaseline * 100).toFixed(1)}%`);
bar(a!.meanScore > bo4.meanScore && a!.klToBaseline <= bo4.klToBaseline, `beats best-of-4 (${bo4.meanScore.toFixed(3)}, KL ${bo4.klToBaseline.toFixed(2)}) at equal or lower KL: ${a!.meanScore.toFixed(3)}, KL ${a!.klToBaseline.toFixed(2)}`);
bar(a!.klToBaseline < 6, `KL to SFT under 6 nats per response: ${a!.klToBaseline.toFixed(2)}`);
const pplRatio = a!.perplexity! / b!.perplexity!;
bar(pplRatio <= 1.05, `held-out perplexity within 5% of SFT's: ${a!.perplexity!.toFixed(2)} vs ${b!.perplexity!.toFixed(2)} (${((pplRatio - 1) * 100).toFixed(1)}%)`);
bar(everyIteration.length === names.length, `every metric present in every iteration (${names.length} metrics x ${history.length} iterations)`);
