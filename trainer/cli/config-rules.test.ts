import { spawnSync } from "node:child_process";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { childProcessEnv } from "@/lib/env";

/** `npm run trainer -- <command> …` as a researcher types it: a child process whose store is a folder that none of these reach. */
function cli(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "--conditions=react-server", "trainer/cli.ts", ...args], { encoding: "utf8", env: childProcessEnv({ CHECKPOINT_DIR: os.tmpdir() }), timeout: 60_000 });
}

describe("the CLI refuses what startRun refuses (lib/runs/config-rules.ts), as a usage error before any model or data is read", () => {
  it.each([
    [
      "eval",
      ["--policy=a", "--baseline=b", "--reward=rm", "--bestOfN=4", "--bestOfN=1"],
      'bestOfN entry "1" must be a whole number of at least 2 (best of n samples from the baseline); give counts such as 4 and 16, or none for no best-of-n lines',
    ],
    ["pretrain", ["--steps=50", "--backend=cpu"], "warmupSteps 100 must not exceed steps 50: the run would end still warming up, its learning rate never reaching lr; set warmupSteps to at most steps"],
    ["sft", ["--base=no-such-base", "--mixCorpus=wiki.txt", "--backend=cpu"], "mixCorpus is read only when mixText is above 0 (plain text mixed into each batch); set mixText (such as 0.25) or leave mixCorpus out"],
  ])("%s", (command, args, message) => {
    const r = cli([command, ...args]);
    expect(r.status, r.stderr.slice(-1500)).toBe(2);
    expect(r.stderr).toBe(`${command}: ${message}\n(see npm run trainer -- ${command} --help)\n`);
  });
});
