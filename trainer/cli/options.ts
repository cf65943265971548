/**
 * Typed command options: defaults with a help line each, overridden by a preset file
 * (--preset=file.json) and then by --key=value flags. Unknown keys and wrong types are refused.
 */
import fs from "node:fs";

type Value = string | number | boolean | string[];
export interface Option<V extends Value = Value> {
  default: V;
  /** Meaning and unit; printed by --help. */
  help: string;
}
export type OptionTable = Record<string, Option>;
export type Resolved<T extends OptionTable> = { [K in keyof T]: T[K]["default"] };

export function opt<V extends Value>(value: V, help: string): Option<V extends boolean ? boolean : V extends number ? number : V extends string[] ? string[] : string> {
  return { default: value, help } as never;
}

export class OptionError extends Error {}

function coerce(key: string, raw: unknown, def: Value, source: string): Value {
  const fail = (want: string) => new OptionError(`${source}: ${key} must be ${want}, got ${JSON.stringify(raw)}`);
  if (typeof def === "number") {
    const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
    if (typeof n !== "number" || !Number.isFinite(n)) throw fail("a number");
    return n;
  }
  if (typeof def === "boolean") {
    if (raw === true || raw === "true") return true;
    if (raw === false || raw === "false") return false;
    throw fail("true or false");
  }
  if (Array.isArray(def)) {
    if (Array.isArray(raw) && raw.every((s) => typeof s === "string")) return raw;
    if (typeof raw === "string") return raw === "" ? [] : [raw];
    throw fail("a string or a list of strings");
  }
  if (typeof raw !== "string") throw fail("a string");
  return raw;
}

function assign(table: OptionTable, out: Record<string, Value>, key: string, raw: unknown, source: string, repeat: boolean): void {
  const spec = table[key];
  if (!spec) throw new OptionError(`${source}: unknown option "${key}". Known: ${Object.keys(table).join(", ")}`);
  const v = coerce(key, raw, spec.default, source);
  // A repeated list flag (--stop=a --stop=b) appends.
  out[key] = repeat && Array.isArray(v) && Array.isArray(out[key]) ? [...(out[key] as string[]), ...v] : v;
}

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

/** Resolves defaults <- a config object (a queued run's config): unknown keys and wrong types are refused. */
export function resolveConfig<T extends OptionTable>(table: T, data: Record<string, unknown>, source = "config"): Resolved<T> {
  const out: Record<string, Value> = Object.fromEntries(Object.entries(table).map(([k, o]) => [k, o.default]));
  for (const [k, v] of Object.entries(data)) assign(table, out, k, v, source, false);
  return out as Resolved<T>;
}

export function formatHelp(name: string, summary: string, table: OptionTable): string {
  const rows = Object.entries(table).map(([k, o]) => [`--${k}`, JSON.stringify(o.default), o.help]);
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
