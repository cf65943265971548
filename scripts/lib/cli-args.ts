import { parseArgs, type ParseArgsConfig } from "node:util";

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
    console.error(`${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
}
