/**
 * Text PostgreSQL cannot store: a NUL character (U+0000) in text or jsonb ("invalid byte
 * sequence", "unsupported Unicode escape sequence"), and an unpaired UTF-16 surrogate,
 * which JSON.stringify writes as a `\ud800` escape that jsonb refuses. Input is checked
 * at the boundary, so the caller gets a 400 that names the field instead of a 500.
 */
import { AppError, type ErrorCode } from "@/lib/errors";

const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const unstorableAll = new RegExp(unstorable.source, "g");

/**
 * A string with each character PostgreSQL cannot store replaced by U+FFFD, as a decoder shows
 * bytes it cannot decode. For what the system itself writes (a model's sampled text, an error
 * that quotes it), where refusing would lose the rest; input from people is refused instead.
 */
export function toStorableText(s: string): string {
  return isStorableText(s) ? s : s.replace(unstorableAll, "\uFFFD");
}

/** A JSON value with every string and object key made storable (a copy; the value itself when nothing needed it). */
export function toStorableJson<T>(value: T): T {
  if (unstorableTextPath(value) === null) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return toStorableText(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, item]) => [toStorableText(k), walk(item)]));
    return v;
  };
  return walk(value) as T;
}

/** Whether a string can be stored as it is. */
export function isStorableText(s: string): boolean {
  return !unstorable.test(s);
}

/** The path of the first string (or object key) in a parsed JSON value that cannot be stored, or null. */
export function unstorableTextPath(root: unknown): string | null {
  // Iterative, with parent links instead of copied paths: a hostile body can nest thousands of levels deep.
  type Node = { value: unknown; key: string | null; parent: Node | null };
  const pathOf = (node: Node | null, last?: string) => {
    const keys = last === undefined ? [] : [last];
    for (let n = node; n && n.key !== null; n = n.parent) keys.unshift(n.key);
    return keys.join(".") || "(the value)";
  };
  const stack: Node[] = [{ value: root, key: null, parent: null }];
  while (stack.length) {
    const node = stack.pop()!;
    const { value } = node;
    if (typeof value === "string") {
      if (!isStorableText(value)) return pathOf(node);
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], key: String(i), parent: node });
    } else if (value && typeof value === "object") {
      for (const [key, item] of Object.entries(value).reverse()) {
        if (!isStorableText(key)) return pathOf(node, JSON.stringify(key).slice(1, -1));
        stack.push({ value: item, key, parent: node });
      }
    }
  }
  return null;
}

/**
 * Throws a 400 naming the first unstorable string in `value`; `prefix` goes before the path
 * (e.g. "config." for a run's config), `code` is the error's kind:reason.
 */
export function assertStorableText(value: unknown, { prefix = "", code = "bad_request:text" }: { prefix?: string; code?: ErrorCode } = {}): void {
  const path = unstorableTextPath(value);
  if (path !== null) throw new AppError(code, unstorableTextMessage(`${prefix}${path}`));
}

export function unstorableTextMessage(path: string): string {
  return `"${path}" holds a NUL character (\\u0000) or an unpaired UTF-16 surrogate, which cannot be stored.`;
}
