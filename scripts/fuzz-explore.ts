/**
 * `npm run fuzz:explore -- --seeds N`: the three fuzz test files, N times, each time with a
 * new random seed, against DATABASE_URL. `npm test` under CI runs one fixed seed, so its gate
 * is the same on every run; this is where new seeds look for new failures. Prints each seed
 * and the first lines of any failure; a failing seed replays with FUZZ_SEED=<seed>.
 */
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { rules } from "@/lib/config/options";
import { cliNumber, parseCliArgs } from "./lib/cli-args";

const FILES = ["lib/api/routes.fuzz.test.ts", "lib/api/actions.fuzz.test.ts", "lib/imports/import.fuzz.test.ts"];

const USAGE = "Usage: npm run fuzz:explore [-- --seeds N (default 10)]";

const { values } = parseCliArgs({ options: { seeds: { type: "string", default: "10" } } }, USAGE);
const count = cliNumber("seeds", values.seeds, rules.count, USAGE);

const failed: number[] = [];
for (let i = 1; i <= count; i++) {
  const seed = randomInt(2 ** 31);
  const started = Date.now();
  const run = spawnSync("npx", ["vitest", "run", ...FILES], { encoding: "utf8", env: { ...process.env, FUZZ_SEED: String(seed) } });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (run.status === 0) {
    console.log(`${i}/${count} seed ${seed}: passed (${seconds} s)`);
    continue;
  }
  failed.push(seed);
  console.log(`${i}/${count} seed ${seed}: FAILED (${seconds} s)`);
  const output = `${run.stdout}\n${run.stderr}`.replace(/\u001b\[[0-9;]*m/g, "");
  const lines = output.split("\n").filter((l) => /FAIL |Caused by|AssertionError|Error:/.test(l));
  for (const line of lines.slice(0, 6)) console.log(`    ${line.trim().slice(0, 400)}`);
}
console.log(failed.length ? `\n${failed.length} of ${count} seeds failed: ${failed.join(", ")}. Replay one with FUZZ_SEED=<seed> npx vitest run ${FILES.join(" ")}` : `\n${count === 1 ? "the seed" : `all ${count} seeds`} passed`);
process.exit(failed.length ? 1 : 0);
