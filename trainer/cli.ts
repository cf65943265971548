/**
 * The researcher CLI: `npm run trainer -- <command> [--preset=file.json] [--key=value ...]`.
 * `--help` after a command lists its options; the resolved config is printed before it runs.
 */
import { commands, defaultStore } from "./cli/commands";
import { formatHelp, OptionError, resolveOptions } from "./cli/options";

function usage(): string {
  const w = Math.max(...Object.keys(commands).map((k) => k.length));
  return ["usage: npm run trainer -- <command> [--key=value ...]   (<command> --help for its options)", "", ...Object.entries(commands).map(([k, c]) => `  ${k.padEnd(w)}  ${c.summary}`)].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "help") {
    console.log(usage());
    return name ? 0 : 1;
  }
  const cmd = commands[name];
  if (!cmd) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  if (rest.includes("--help")) {
    console.log(formatHelp(name, cmd.summary, cmd.options));
    return 0;
  }
  try {
    const opts = resolveOptions(cmd.options, rest);
    console.log(`${name} ${JSON.stringify(opts)}`);
    await cmd.run(opts, { store: defaultStore(), log: (line) => console.log(line) });
    return 0;
  } catch (e) {
    if (e instanceof OptionError) {
      console.error(`${name}: ${e.message}\n(see npm run trainer -- ${name} --help)`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
