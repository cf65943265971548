/**
 * Typed options: a default and a help line per key, and the rules that resolve a config object
 * against them (unknown keys and wrong types are refused). The trainer's CLI and job handlers
 * (trainer/cli/options.ts re-exports this) and the web app's run form use the same rules.
 */
export type Value = string | number | boolean | string[];

/** What a number option's value must keep to (bounds inclusive unless named above/below), or the values a string option may take. */
export interface OptionRule {
  int?: boolean;
  min?: number;
  max?: number;
  above?: number;
  below?: number;
  oneOf?: string[];
}

export interface Option<V extends Value = Value> {
  default: V;
  /** Meaning and unit; printed by --help. */
  help: string;
  rule?: OptionRule;
}

/** Rules most options share. */
export const rules = {
  /** 1, 2, 3 … (steps, batch sizes, epochs) */
  count: { int: true, min: 1 },
  /** 0, 1, 2 … (seeds, intervals where 0 turns a thing off) */
  natural: { int: true, min: 0 },
  /** learning rates, temperatures of a penalty */
  positive: { above: 0 },
  /** coefficients where 0 turns a term off */
  nonNegative: { min: 0 },
  /** shares and probabilities */
  unit: { min: 0, max: 1 },
} satisfies Record<string, OptionRule>;

/** "a whole number of at least 1", "a number above 0", "a number of at least 0 and at most 1", "one of gae, rloo" */
export function describeRule(rule: OptionRule): string {
  if (rule.oneOf) return `one of ${rule.oneOf.join(", ")}`;
  const bounds = [
    rule.min !== undefined ? `at least ${rule.min}` : "",
    rule.above !== undefined ? `above ${rule.above}` : "",
    rule.max !== undefined ? `at most ${rule.max}` : "",
    rule.below !== undefined ? `below ${rule.below}` : "",
  ].filter(Boolean);
  const what = rule.int ? "a whole number" : "a number";
  if (!bounds.length) return what;
  return `${what}${bounds[0]!.startsWith("at ") ? " of" : ""} ${bounds.join(" and ")}`;
}

/** Whether `v` keeps to `rule`. */
export function keeps(rule: OptionRule, v: Value): boolean {
  if (rule.oneOf) return typeof v === "string" && rule.oneOf.includes(v);
  if (typeof v !== "number") return true;
  return (
    (!rule.int || Number.isInteger(v)) &&
    (rule.min === undefined || v >= rule.min) &&
    (rule.max === undefined || v <= rule.max) &&
    (rule.above === undefined || v > rule.above) &&
    (rule.below === undefined || v < rule.below)
  );
}
export type OptionTable = Record<string, Option>;
export type Resolved<T extends OptionTable> = { [K in keyof T]: T[K]["default"] };

export function opt<V extends Value>(value: V, help: string, rule?: OptionRule): Option<V extends boolean ? boolean : V extends number ? number : V extends string[] ? string[] : string> {
  if (rule && !keeps(rule, value)) throw new Error(`default ${JSON.stringify(value)} breaks its own rule: ${describeRule(rule)}`);
  return (rule ? { default: value, help, rule } : { default: value, help }) as never;
}

export class OptionError extends Error {}

/**
 * A default as a person writes it in a JSON config: a list of counts held as the flag's text
 * (eval's bestOfN, `["4", "16"]`) as numbers (`[4, 16]`). Only entries whose text is exactly the
 * number's own (`String(Number(s)) === s`) become numbers, so resolving the result gives back the
 * default itself.
 */
export function jsonDefault(value: Value): Value | number[] {
  if (!Array.isArray(value) || value.length === 0) return value;
  const numbers = value.map(Number);
  return value.every((s, i) => s.trim() !== "" && Number.isFinite(numbers[i]) && String(numbers[i]) === s) ? numbers : value;
}

/** Every default of a table as a JSON config writes it (the run form's "Fill in every default"). */
export function defaultsAsJson(table: OptionTable): Record<string, Value | number[]> {
  return Object.fromEntries(Object.entries(table).map(([k, o]) => [k, jsonDefault(o.default)]));
}

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
    // A JSON config writes counts (eval's bestOfN) as numbers; the list holds them as the flag's text.
    if (raw === "") return [];
    const entry = (s: unknown) => (typeof s === "number" && Number.isFinite(s) ? String(s) : s);
    const list = (Array.isArray(raw) ? raw : [raw]).map(entry);
    if (list.every((s) => typeof s === "string")) return list;
    throw fail("a string or a number, or a list of them");
  }
  if (typeof raw !== "string") throw fail("a string");
  return raw;
}

export function assign(table: OptionTable, out: Record<string, Value>, key: string, raw: unknown, source: string, repeat: boolean): void {
  const spec = table[key];
  if (!spec) throw new OptionError(`${source}: unknown option "${key}". Known: ${Object.keys(table).join(", ")}`);
  const v = coerce(key, raw, spec.default, source);
  if (spec.rule && !keeps(spec.rule, v)) throw new OptionError(`${source}: ${key} must be ${describeRule(spec.rule)}, got ${JSON.stringify(v)}`);
  // A repeated list flag (--stop=a --stop=b) appends.
  out[key] = repeat && Array.isArray(v) && Array.isArray(out[key]) ? [...(out[key] as string[]), ...v] : v;
}

/**
 * Resolves defaults <- a config object (a queued run's config): unknown keys and wrong types are
 * refused. Keys in `passThrough` (read by someone else, such as a job) are skipped here and named
 * among the known ones when a key is refused.
 */
export function resolveConfig<T extends OptionTable>(table: T, data: Record<string, unknown>, source = "config", passThrough: string[] = []): Resolved<T> {
  const out: Record<string, Value> = Object.fromEntries(Object.entries(table).map(([k, o]) => [k, o.default]));
  for (const [k, v] of Object.entries(data)) {
    if (passThrough.includes(k)) continue;
    if (!table[k]) throw new OptionError(`${source}: unknown option "${k}". Known: ${[...Object.keys(table), ...passThrough].join(", ")}`);
    assign(table, out, k, v, source, false);
  }
  return out as Resolved<T>;
}

