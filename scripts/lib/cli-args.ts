import { parseArgs, type ParseArgsConfig } from "node:util";
import { describeRule, keeps, type OptionRule } from "@/lib/config/options";

/**
 * node:util's parseArgs for the npm-run commands, except that a mistyped or unknown flag
 * (`--emial`, `--out` without its value) is answered with Node's one-line reason and the
 * command's usage, exit 2, instead of a stack trace.
 */
export function parseCliArgs<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    if (!String((err as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS")) throw err;
    refuseCli((err as Error).message, usage);
  }
}

/** Ends the command the way a mistyped flag does: the one-line reason, then the usage; exit 2. */
export function refuseCli(reason: string, usage: string): never {
  console.error(`${reason}\n${usage}`);
  process.exit(2);
}

/** A TCP port flag's rule. */
export const portRule: OptionRule = { int: true, min: 1, max: 65535 };

/**
 * A number flag's value, held to `rule` (the rules of lib/config/options.ts): `--seeds abc` or
 * `--seeds 0` is refused like a mistyped flag, before the command starts any work with NaN.
 */
export function cliNumber(flag: string, raw: string, rule: OptionRule, usage: string): number {
  const n = raw.trim() === "" ? NaN : Number(raw);
  if (!Number.isFinite(n) || !keeps(rule, n)) refuseCli(`--${flag} must be ${describeRule(rule)} (got ${JSON.stringify(raw)}).`, usage);
  return n;
}
