/**
 * An error as a command prints it: its message, then each cause's on a line of its own, so a
 * query that drizzle reports as "Failed query: insert into …" also says what PostgreSQL answered
 * ("caused by: PostgresError: duplicate key value …"). Each message is cut at 1,000 characters:
 * a failed bulk insert's message lists every parameter.
 */
export function errorText(err: unknown): string {
  const lines: string[] = [];
  const seen = new Set<unknown>();
  for (let current = err; current !== undefined && current !== null && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    const text = current instanceof Error ? (lines.length === 0 ? current.message : `${current.name}: ${current.message}`) : String(current);
    const cut = text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
    lines.push(lines.length === 0 ? cut : `  caused by: ${cut}`);
  }
  return lines.join("\n");
}
