/** The held-out headwords bench:ppo-demo and bench:frontier judge on: `count` of them, spread evenly over the 377. */
import { heldoutPrompts } from "@/trainer/data/corpus";
import type { PromptInput } from "@/trainer/prompt-format";

export function demoEvalPrompts(count: number): PromptInput[] {
  return spreadEvenly(heldoutPrompts(), count);
}

/** `count` of `items`, every k-th from the first, k = floor(length / count) (none for a count of 0, all of them for a count of at least their length). */
export function spreadEvenly<T>(items: T[], count: number): T[] {
  if (count <= 0) return [];
  const step = Math.max(1, Math.floor(items.length / count));
  return items.filter((_, i) => i % step === 0).slice(0, count);
}
