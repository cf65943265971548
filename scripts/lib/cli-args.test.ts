import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type OptionRule, rules } from "@/lib/config/options";
import { childProcessEnv } from "@/lib/env";
import { cliNumber, portRule } from "./cli-args";

const run = (script: string, args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "--conditions=react-server", `scripts/${script}.ts`, ...args], { env: childProcessEnv(), encoding: "utf8", timeout: 60_000 });

describe("a mistyped flag", () => {
  it.each([
    ["user-create", ["--emial", "a@example.com"], "Unknown option '--emial'", "Usage: npm run user:create"],
    ["import", ["--campagin", "x", "f.jsonl"], "Unknown option '--campagin'", "Usage: npm run import"],
    ["export", ["--snapshot"], "--snapshot", "Usage: npm run export"],
    ["db-backup", ["--output", "x"], "Unknown option '--output'", "Usage: npm run db:backup"],
    ["db-restore", ["x", "--db", "y"], "Unknown option '--db'", "Usage: npm run db:restore"],
    ["fuzz-explore", ["--sedes", "3"], "Unknown option '--sedes'", "Usage: npm run fuzz:explore"],
    ["fuzz-explore", ["--seeds", "abc"], '--seeds must be a whole number of at least 1 (got "abc").', "Usage: npm run fuzz:explore"],
  ])("%s: is named with the usage, exit 2, no stack trace", (script, args, reason, usage) => {
    const result = run(script, args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(reason);
    expect(result.stderr).toContain(usage);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe("cliNumber", () => {
  const USAGE = "Usage: npm run bench:x [-- --n N]";
  afterEach(() => vi.restoreAllMocks());

  /** What the command would print before exiting, and the exit code. */
  function refusal(raw: string, rule: OptionRule): { code: unknown; printed: string } {
    const exit = vi.spyOn(process, "exit").mockImplementation((code) => {
      throw Object.assign(new Error("exit"), { exitCode: code });
    });
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      cliNumber("n", raw, rule, USAGE);
    } catch (err) {
      if (!exit.mock.calls.length) throw err;
      return { code: (err as { exitCode?: unknown }).exitCode, printed: error.mock.calls.map((c) => c.join(" ")).join("\n") };
    }
    throw new Error(`${raw} was not refused`);
  }

  it("returns the value when it keeps to the rule", () => {
    expect(cliNumber("n", "12", rules.count, USAGE)).toBe(12);
    expect(cliNumber("n", "0.5", rules.positive, USAGE)).toBe(0.5);
    expect(cliNumber("n", "0", rules.natural, USAGE)).toBe(0);
    expect(cliNumber("n", "65535", portRule, USAGE)).toBe(65535);
  });

  it.each([
    ["abc", rules.count, '--n must be a whole number of at least 1 (got "abc").'],
    ["", rules.count, '--n must be a whole number of at least 1 (got "").'],
    ["0", rules.count, '--n must be a whole number of at least 1 (got "0").'],
    ["2.5", rules.count, '--n must be a whole number of at least 1 (got "2.5").'],
    ["Infinity", rules.positive, '--n must be a number above 0 (got "Infinity").'],
    ["70000", portRule, '--n must be a whole number of at least 1 and at most 65535 (got "70000").'],
  ])("refuses %j with one line and the usage, exit 2", (raw, rule, line) => {
    expect(refusal(raw, rule)).toEqual({ code: 2, printed: `${line}\n${USAGE}` });
  });
});
