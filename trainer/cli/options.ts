/**
 * Typed command options: defaults with a help line each, overridden by a preset file
 * (--preset=file.json) and then by --key=value flags. Unknown keys and wrong types are refused.
 */
import fs from "node:fs";
import { assign, describeRule, OptionError, type OptionTable, type Resolved, type Value } from "@/lib/config/options";

export { opt, OptionError, resolveConfig, rules, type OptionTable, type Resolved } from "@/lib/config/options";

/** Resolves defaults <- preset <- flags. argv holds only this command's arguments. */
export function resolveOptions<T extends OptionTable>(table: T, argv: string[]): Resolved<T> {
  const out: Record<string, Value> = Object.fromEntries(Object.entries(table).map(([k, o]) => [k, o.default]));
  const flags: Array<[string, string]> = [];
  let preset: string | undefined;
  for (const arg of argv) {
    const m = /^--([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new OptionError(`unexpected argument "${arg}"; use --key=value`);
    const [, key, value] = m;
    if (key === "preset") preset = value;
    else flags.push([key, value ?? "true"]);
  }
  if (preset !== undefined) {
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(preset, "utf8"));
    } catch (e) {
      throw new OptionError(`preset ${preset}: ${(e as Error).message}`);
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) throw new OptionError(`preset ${preset}: must be a JSON object`);
    for (const [k, v] of Object.entries(data)) assign(table, out, k, v, `preset ${preset}`, false);
  }
  const seen = new Set<string>();
  for (const [k, v] of flags) {
    assign(table, out, k, v, "flag", seen.has(k));
    seen.add(k);
  }
  return out as Resolved<T>;
}

export function formatHelp(name: string, summary: string, table: OptionTable): string {
  const rows = Object.entries(table).map(([k, o]) => [`--${k}`, JSON.stringify(o.default), o.rule ? `${o.help} [${describeRule(o.rule)}]` : o.help]);
  const w0 = Math.max(...rows.map((r) => r[0].length), 6);
  const w1 = Math.max(...rows.map((r) => r[1].length), 7);
  return [
    `npm run trainer -- ${name} [--preset=file.json] [--key=value ...]`,
    "",
    summary,
    "",
    `${"option".padEnd(w0)}  ${"default".padEnd(w1)}  meaning`,
    ...rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`),
  ].join("\n");
}
