/**
 * A number and its noun, singular for exactly one: "1 worker", "2 workers", "0 workers". For a
 * noun whose plural is not its singular plus "s", pass the plural.
 */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
