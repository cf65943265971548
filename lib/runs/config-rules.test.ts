import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { checkRunConfig, runConfigCatalog } from "./config-catalog";
import {
  bestOfNProblem,
  configRules,
  evalConfigProblems,
  generatePairsConfigProblems,
  lrScheduleProblems,
  marginMapProblem,
  ppoConfigProblems,
  pretrainConfigProblems,
  promptSourceProblems,
  rewardConfigProblems,
  playgroundConfigProblems,
  scoreConfigProblems,
  scoreRowProblem,
  sftConfigProblems,
} from "./config-rules";

/** generate-pairs' options as resolved with their defaults (generatePairsOptions), then `over`. */
const resolved = (over: Record<string, unknown>) => ({ prompts: 50, k: 2, temperature: 0.9, topP: 0.95, maxNewTokens: 48, seed: 1, batchSize: 16, select: "all", maxPairs: 0, campaignId: "c", ...over });

/** How checkRunConfig answers a new run's config: "accepted", or the refusal's code and message. */
function refusal(kind: string, config: Record<string, unknown>): unknown {
  try {
    checkRunConfig(kind, config);
    return "accepted";
  } catch (err) {
    return err instanceof AppError ? `${err.code} ${err.message}` : err;
  }
}

describe("generate-pairs' rules across keys", () => {
  it("passes the defaults and a complete active selection", () => {
    expect(generatePairsConfigProblems(resolved({}))).toEqual([]);
    expect(generatePairsConfigProblems(resolved({ select: "uncertain", maxPairs: 300, reward: "reward-ab12cd34" }))).toEqual([]);
    expect(generatePairsConfigProblems(resolved({ k: 1, baseline: "demo-sft" }))).toEqual([]);
  });

  it("names each broken rule, every one of them at once", () => {
    expect(generatePairsConfigProblems(resolved({ select: "uncertain", maxPairs: 300 }))).toEqual(['config.reward: select "uncertain" needs config.reward (a reward checkpoint)']);
    // "" is not given, as check-inputs reads a store key.
    expect(generatePairsConfigProblems(resolved({ select: "uncertain", reward: "" }))).toEqual([
      'config.reward: select "uncertain" needs config.reward (a reward checkpoint)',
      'config.maxPairs: select "uncertain" needs config.maxPairs (how many pairs to keep)',
    ]);
    expect(generatePairsConfigProblems(resolved({ maxPairs: 5, reward: "rm" }))).toEqual(['config.maxPairs: maxPairs applies to select "uncertain"']);
    expect(generatePairsConfigProblems(resolved({ k: 1 }))).toEqual([
      "config.k: k 1 makes no pairs without config.baseline (each pair is two of the checkpoint's answers); set k to 2 or more, or give config.baseline",
    ]);
  });

  it("is what checkRunConfig refuses a new run's config with, defaults filled in from the catalog", () => {
    expect(refusal("generate-pairs", { campaignId: "c", select: "uncertain" })).toBe(
      'bad_request:config config.reward: select "uncertain" needs config.reward (a reward checkpoint); config.maxPairs: select "uncertain" needs config.maxPairs (how many pairs to keep)',
    );
    expect(refusal("generate-pairs", { campaignId: "c", k: 1, baseline: "demo-sft" })).toBe("accepted");
    // An unknown key is named first: the rules read resolved options.
    expect(refusal("generate-pairs", { campaignId: "c", select: "uncertain", maxPair: 3 })).toMatch(/^bad_request:config config: unknown option "maxPair"/);
  });
});

describe("ppo's rules across keys", () => {
  // ppoOptions' defaults for the keys the rules read.
  const ppo = (over: Record<string, unknown>) => ({ batchSize: 16, miniBatchSize: 4, samplesPerPrompt: 1, advantage: "gae", ...over });

  it("passes the defaults, a minibatch of the whole batch and RLOO with groups that divide the batch", () => {
    expect(ppoConfigProblems(ppo({}))).toEqual([]);
    expect(ppoConfigProblems(ppo({ miniBatchSize: 16 }))).toEqual([]);
    expect(ppoConfigProblems(ppo({ advantage: "rloo", samplesPerPrompt: 4 }))).toEqual([]);
  });

  it("names each broken rule in trainPpo's words", () => {
    expect(ppoConfigProblems(ppo({ miniBatchSize: 17 }))).toEqual(["miniBatchSize must not exceed batchSize"]);
    expect(ppoConfigProblems(ppo({ samplesPerPrompt: 3 }))).toEqual(["samplesPerPrompt (3) must be a whole number that divides batchSize (16)"]);
    expect(ppoConfigProblems(ppo({ samplesPerPrompt: 0.5 }))).toEqual(["samplesPerPrompt (0.5) must be a whole number that divides batchSize (16)"]);
    expect(ppoConfigProblems(ppo({ advantage: "rloo" }))).toEqual(["advantage rloo compares a prompt's responses with each other: set samplesPerPrompt to 2 or more"]);
    expect(ppoConfigProblems(ppo({ batchSize: 2, miniBatchSize: 4, samplesPerPrompt: 4 }))).toEqual([
      "miniBatchSize must not exceed batchSize",
      "samplesPerPrompt (4) must be a whole number that divides batchSize (2)",
    ]);
    expect(ppoConfigProblems(ppo({ promptLimit: 5 }))).toEqual(["config.promptLimit applies to config.campaignId"]);
  });

  it("is what checkRunConfig refuses, with ppoOptions' defaults filled in", () => {
    // batchSize 16 by default: 32 per minibatch breaks the rule only once defaults are read.
    expect(refusal("ppo", { miniBatchSize: 32 })).toBe("bad_request:config miniBatchSize must not exceed batchSize");
    expect(refusal("ppo", { advantage: "rloo" })).toBe("bad_request:config advantage rloo compares a prompt's responses with each other: set samplesPerPrompt to 2 or more");
    expect(refusal("ppo", { advantage: "rloo", samplesPerPrompt: 4, reward: "rm", campaignId: "c", promptLimit: 100 })).toBe("accepted");
  });
});

describe("where ppo's and eval's prompts come from", () => {
  it("takes promptLimit only with campaignId", () => {
    expect(promptSourceProblems({})).toEqual([]);
    expect(promptSourceProblems({ campaignId: "c", promptLimit: 500 })).toEqual([]);
    expect(promptSourceProblems({ promptLimit: 3, prompts: "p.txt" })).toEqual(["config.promptLimit applies to config.campaignId"]);
    // Any value counts as given, as the job reads it: null too.
    expect(promptSourceProblems({ promptLimit: null })).toEqual(["config.promptLimit applies to config.campaignId"]);
  });

  it("wants a whole number of at least 1 when the campaign is the source, and not when a prompts file comes first", () => {
    const message = "config.promptLimit: must be a whole number of prompts, at least 1";
    expect(promptSourceProblems({ campaignId: "c", promptLimit: 0 })).toEqual([message]);
    expect(promptSourceProblems({ campaignId: "c", promptLimit: 2.5 })).toEqual([message]);
    expect(promptSourceProblems({ campaignId: "c", promptLimit: "10" })).toEqual([message]);
    expect(promptSourceProblems({ campaignId: "c", promptLimit: 0, prompts: "p.txt" })).toEqual([]);
    expect(promptSourceProblems({ campaignId: "c", promptLimit: 0, prompts: "" })).toEqual([message]);
  });

  it("is what checkRunConfig refuses for eval as for ppo", () => {
    expect(refusal("eval", { baseline: "b", reward: "rm", promptLimit: 50 })).toBe("bad_request:config config.promptLimit applies to config.campaignId");
    expect(refusal("eval", { baseline: "b", reward: "rm", campaignId: "c", promptLimit: 50 })).toBe("accepted");
  });
});

describe("reward's marginMap", () => {
  it("passes an empty table and strength:margin entries", () => {
    expect(marginMapProblem("")).toBeNull();
    expect(marginMapProblem(" 1:0, 2:0.5,3:1 ")).toBeNull();
    expect(rewardConfigProblems({ marginMap: "1:0,2:0.5,3:1" })).toEqual([]);
  });

  it("names the first entry that is not two numbers, as trainRewardModel does", () => {
    expect(marginMapProblem("1:0,2:x,3")).toBe('marginMap entry "2:x" is not strength:margin');
    expect(marginMapProblem("1:0,")).toBe('marginMap entry "" is not strength:margin');
    expect(rewardConfigProblems({ marginMap: "1-0" })).toEqual(['marginMap entry "1-0" is not strength:margin']);
    expect(refusal("reward", { marginMap: "1:0;2:1" })).toBe('bad_request:config marginMap entry "1:0;2:1" is not strength:margin');
  });
});

describe("pretrain's model shape", () => {
  it("needs dModel to split evenly over the heads", () => {
    expect(pretrainConfigProblems({ dModel: 128, heads: 4 })).toEqual([]);
    expect(pretrainConfigProblems({ dModel: 130, heads: 4 })).toEqual(["dModel 130 must be divisible by heads 4"]);
    // heads 4 by default.
    expect(refusal("pretrain", { dModel: 96 })).toBe("accepted");
    expect(refusal("pretrain", { dModel: 100, heads: 8 })).toBe("bad_request:config dModel 100 must be divisible by heads 8");
  });
});

describe("eval's bestOfN", () => {
  const notACount = (entry: string) => `bestOfN entry ${JSON.stringify(entry)} must be a whole number of at least 2 (best of n samples from the baseline); give counts such as 4 and 16, or none for no best-of-n lines`;

  it("passes whole counts of at least 2, and none at all", () => {
    expect(bestOfNProblem(["4", "16"])).toBeNull();
    expect(bestOfNProblem(["2"])).toBeNull();
    expect(bestOfNProblem([])).toBeNull();
    expect(evalConfigProblems({ bestOfN: ["4", "16"] })).toEqual([]);
  });

  it("takes the counts as JSON numbers, as the help's 'whole numbers' invites, and checks them the same", () => {
    // [4, 16] in the runs form was refused with "bestOfN must be a string or a list of strings"
    expect(refusal("eval", { baseline: "b", reward: "rm", bestOfN: [4, 16] })).toBe("accepted");
    expect(refusal("eval", { baseline: "b", reward: "rm", bestOfN: 8 })).toBe("accepted");
    expect(refusal("eval", { baseline: "b", reward: "rm", bestOfN: [4, 1] })).toBe(`bad_request:config ${notACount("1")}`);
    // what is not a number or a string is still refused, with the type asked for
    expect(refusal("eval", { baseline: "b", reward: "rm", bestOfN: [4, null] })).toBe("bad_request:config config: bestOfN must be a string or a number, or a list of them, got [4,null]");
  });

  it("names the first entry the job used to drop without a word: not a number, 1 or less, or not whole", () => {
    expect(bestOfNProblem(["4", "x", "1"])).toBe(notACount("x"));
    expect(bestOfNProblem(["1"])).toBe(notACount("1"));
    expect(bestOfNProblem(["0"])).toBe(notACount("0"));
    expect(bestOfNProblem(["-4"])).toBe(notACount("-4"));
    expect(bestOfNProblem(["2.5"])).toBe(notACount("2.5"));
    // Number("") is 0, and " " too: an empty entry is not a count.
    expect(bestOfNProblem(["4", ""])).toBe(notACount(""));
  });

  it("refuses a count given twice, which printed the same best-of-n line twice in the eval table", () => {
    const twice = (entry: string, n: number) => `bestOfN entry ${JSON.stringify(entry)} repeats best of ${n}: each count makes one line of the eval table; give each count once, such as 4 and 16`;
    expect(bestOfNProblem(["4", "4", "16"])).toBe(twice("4", 4));
    // The same count however written: the job reads each entry as a number.
    expect(bestOfNProblem(["16", "4", "04"])).toBe(twice("04", 4));
    expect(bestOfNProblem(["4", "16", "16.0"])).toBe(twice("16.0", 16));
    // A count that is not one is named first, as the entry the job could not read at all.
    expect(bestOfNProblem(["4", "4", "1"])).toBe(notACount("1"));
    expect(refusal("eval", { baseline: "b", reward: "rm", bestOfN: ["4", "4", "16"] })).toBe(`bad_request:config ${twice("4", 4)}`);
  });

  it("is what checkRunConfig refuses, beside the prompt source's rules", () => {
    expect(refusal("eval", { baseline: "b", reward: "rm", bestOfN: ["4", "1"] })).toBe(`bad_request:config ${notACount("1")}`);
    // A single string is one entry, as the option table coerces it; "" is none.
    expect(refusal("eval", { baseline: "b", reward: "rm", bestOfN: "four" })).toBe(`bad_request:config ${notACount("four")}`);
    expect(refusal("eval", { baseline: "b", reward: "rm", bestOfN: "" })).toBe("accepted");
    expect(evalConfigProblems({ bestOfN: ["1"], promptLimit: 5 })).toEqual([notACount("1"), "config.promptLimit applies to config.campaignId"]);
  });
});

describe("pretrain's and sft's learning-rate schedule", () => {
  const rises = "minLr 0.01 must not exceed lr 0.001: after warm-up the learning rate would rise from lr to minLr instead of decaying; set minLr below lr (or equal, for a constant rate)";
  const neverPeaks = (w: number, s: number) => `warmupSteps ${w} must not exceed steps ${s}: the run would end still warming up, its learning rate never reaching lr; set warmupSteps to at most steps`;

  it("passes a decaying, a constant and a warm-up-as-long-as-the-run schedule", () => {
    expect(lrScheduleProblems({ lr: 1e-3, minLr: 1e-4, warmupSteps: 30, steps: 500 })).toEqual([]);
    expect(lrScheduleProblems({ lr: 1e-3, minLr: 1e-3, warmupSteps: 0, steps: 1 })).toEqual([]);
    // The last step (steps - 1) is warm-up's last: it runs at lr.
    expect(lrScheduleProblems({ lr: 1e-3, minLr: 0, warmupSteps: 10, steps: 10 })).toEqual([]);
  });

  it("refuses a floor above the peak and a warm-up longer than the run", () => {
    expect(lrScheduleProblems({ lr: 1e-3, minLr: 1e-2, warmupSteps: 30, steps: 500 })).toEqual([rises]);
    expect(lrScheduleProblems({ lr: 1e-3, minLr: 1e-4, warmupSteps: 11, steps: 10 })).toEqual([neverPeaks(11, 10)]);
    expect(pretrainConfigProblems({ dModel: 128, heads: 4, lr: 1e-3, minLr: 1e-2, warmupSteps: 11, steps: 10 })).toEqual([rises, neverPeaks(11, 10)]);
  });

  it("is what checkRunConfig refuses for both kinds, the defaults filled in", () => {
    expect(refusal("pretrain", {})).toBe("accepted");
    expect(refusal("sft", {})).toBe("accepted");
    // pretrain warms up for 100 steps by default, sft for 30.
    expect(refusal("pretrain", { steps: 50 })).toBe(`bad_request:config ${neverPeaks(100, 50)}`);
    expect(refusal("pretrain", { steps: 50, warmupSteps: 5 })).toBe("accepted");
    expect(refusal("sft", { steps: 20 })).toBe(`bad_request:config ${neverPeaks(30, 20)}`);
    expect(refusal("sft", { lr: 1e-3, minLr: 0.01 })).toBe(`bad_request:config ${rises}`);
  });
});

describe("sft's plain-text mix", () => {
  const unread = (key: string) => `${key} is read only when mixText is above 0 (plain text mixed into each batch); set mixText (such as 0.25) or leave ${key} out`;
  const sft = (over: Record<string, unknown>) => ({ lr: 1e-3, minLr: 1e-4, warmupSteps: 30, steps: 500, mixText: 0, mixRows: 4, mixCorpus: "", mixHeldout: "", ...over });

  it("passes the files with mixText, and the defaults without it", () => {
    expect(sftConfigProblems(sft({}))).toEqual([]);
    expect(sftConfigProblems(sft({ mixText: 0.25, mixCorpus: "c.txt", mixHeldout: "h.txt" }))).toEqual([]);
  });

  it("refuses a file that mixText 0 would never read", () => {
    expect(sftConfigProblems(sft({ mixCorpus: "c.txt", mixHeldout: "h.txt" }))).toEqual([unread("mixCorpus"), unread("mixHeldout")]);
    expect(refusal("sft", { mixHeldout: "h.txt" })).toBe(`bad_request:config ${unread("mixHeldout")}`);
    // "" is the default (the committed corpora): the same whether given or not, and read by nothing either way.
    expect(refusal("sft", { mixCorpus: "", mixHeldout: "" })).toBe("accepted");
    expect(refusal("sft", { mixText: 0.25, mixCorpus: "c.txt" })).toBe("accepted");
  });
});

describe("a score run's rows", () => {
  it("reads {prompt, response} and {prompt, response_a, response_b}, a prompt as text or turns", () => {
    expect(scoreRowProblem({ prompt: "p", response: "r" }, "row 1")).toBeNull();
    expect(scoreRowProblem({ prompt: [{ role: "user", content: "p" }], response_a: "a", response_b: "b" }, "row 1")).toBeNull();
    expect(scoreConfigProblems({ checkpoint: "rm", rows: [{ prompt: "p", response: "" }] })).toEqual([]);
  });

  it("names missing rows, else the first row it cannot read, in the job's words", () => {
    expect(scoreConfigProblems({ checkpoint: "rm" })).toEqual(["a score run needs config.rows"]);
    expect(scoreConfigProblems({ rows: [] })).toEqual(["a score run needs config.rows"]);
    expect(scoreRowProblem("text", "row 3")).toBe('row 3: "prompt" must be a string or a message list');
    expect(scoreRowProblem({ prompt: "p", response: 1 }, "row 1")).toBe('row 1: a row needs "response", or "response_a" and "response_b"');
    expect(scoreConfigProblems({ rows: [{ prompt: "p", response: "r" }, { prompt: 2, response: "r" }, null] })).toEqual(['row 2: "prompt" must be a string or a message list']);
  });

  it("is what checkRunConfig refuses, though score has no option table to resolve", () => {
    expect(refusal("score", { checkpoint: "rm", rows: [{ prompt: "p" }] })).toBe('bad_request:config row 1: a row needs "response", or "response_a" and "response_b"');
    expect(refusal("score", { checkpoint: "rm", rows: [{ prompt: "p", response: "r" }] })).toBe("accepted");
    // A kind with neither a table nor rules is left to its job.
    expect(refusal("healthcheck", { anything: 1 })).toBe("accepted");
  });
});

describe("a playground run's config", () => {
  const checkpoint = (name: string) => ({ id: "c0ffee00-0000-4000-8000-000000000001", name, kind: "sft", storeKey: name });

  it("passes what POST /api/v1/playground writes, defaults filled in by the schema", () => {
    expect(playgroundConfigProblems({ prompt: "Define: harbor", checkpoints: [checkpoint("a"), checkpoint("b")], reward: null })).toEqual([]);
  });

  it("names each key the job cannot read, as parseRunConfig does", () => {
    expect(playgroundConfigProblems({})).toEqual(["config.prompt: is required", "config.checkpoints: is required", "config.reward: is required"]);
    expect(refusal("playground", { prompt: "p", checkpoints: [checkpoint("a")], reward: null, temperature: 3 })).toBe(
      "bad_request:config config.checkpoints: needs at least 2 items; config.temperature: must be at most 2",
    );
  });
});

describe("the rules across keys, as the runs form's help tells them", () => {
  // Each rule that ties keys together, with a config that breaks it: a researcher reading the help of any one of
  // its keys (the form's table, `npm run trainer -- <kind> --help`) should learn of it before being refused.
  const rulesAcrossKeys: { kind: string; keys: string[]; breaking: Record<string, unknown> }[] = [
    { kind: "generate-pairs", keys: ["select", "reward"], breaking: { campaignId: "c", select: "uncertain", maxPairs: 5 } },
    { kind: "generate-pairs", keys: ["select", "maxPairs"], breaking: { campaignId: "c", select: "uncertain", reward: "rm" } },
    { kind: "generate-pairs", keys: ["maxPairs", "select"], breaking: { campaignId: "c", maxPairs: 5 } },
    { kind: "generate-pairs", keys: ["k", "baseline"], breaking: { campaignId: "c", k: 1 } },
    { kind: "ppo", keys: ["miniBatchSize", "batchSize"], breaking: { miniBatchSize: 32 } },
    { kind: "ppo", keys: ["samplesPerPrompt", "batchSize"], breaking: { samplesPerPrompt: 3 } },
    { kind: "ppo", keys: ["advantage", "samplesPerPrompt"], breaking: { advantage: "rloo" } },
    { kind: "ppo", keys: ["promptLimit", "campaignId"], breaking: { promptLimit: 5 } },
    { kind: "eval", keys: ["promptLimit", "campaignId"], breaking: { baseline: "b", reward: "rm", promptLimit: 5 } },
    { kind: "pretrain", keys: ["dModel", "heads"], breaking: { dModel: 100, heads: 8 } },
    ...["pretrain", "sft"].flatMap((kind) => [
      { kind, keys: ["minLr", "lr"], breaking: { lr: 1e-3, minLr: 1e-2 } },
      { kind, keys: ["warmupSteps", "steps"], breaking: { steps: 10, warmupSteps: 11 } },
    ]),
    { kind: "sft", keys: ["mixCorpus", "mixText"], breaking: { mixCorpus: "c.txt" } },
    { kind: "sft", keys: ["mixHeldout", "mixText"], breaking: { mixHeldout: "h.txt" } },
  ];
  const names = (text: string, key: string) => new RegExp(`\\b${key}\\b`).test(text);
  const help = (kind: string, key: string) => runConfigCatalog[kind]?.options[key]?.help ?? runConfigCatalog[kind]?.extra[key];

  it.each(rulesAcrossKeys)("$kind: the rule tying $keys is refused in words that name each key", ({ kind, keys, breaking }) => {
    const answer = String(refusal(kind, breaking));
    expect(answer).toMatch(/^bad_request:config /);
    expect(keys.filter((key) => !names(answer, key))).toEqual([]);
  });

  it.each(rulesAcrossKeys)("$kind: the help of each of $keys names the others", ({ kind, keys }) => {
    const untold = keys.flatMap((key) => keys.filter((other) => other !== key && !names(help(kind, key) ?? "", other)).map((other) => `${key}'s help does not name ${other}: ${help(kind, key)}`));
    expect(untold).toEqual([]);
  });

  it("covers every kind whose rules tie keys together", () => {
    expect([...new Set(rulesAcrossKeys.map((r) => r.kind))].sort()).toEqual(Object.keys(configRules).filter((kind) => !["reward", "score", "playground"].includes(kind)).sort());
  });
});
