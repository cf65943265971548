/** The held-out headwords bench:ppo-demo and bench:frontier judge on: `count` of them, spread evenly over the 377. */
import { heldoutPrompts } from "@/trainer/data/corpus";
import type { PromptInput } from "@/trainer/prompt-format";

export function demoEvalPrompts(count: number): PromptInput[] {
  const heldout = heldoutPrompts();
  const step = Math.max(1, Math.floor(heldout.length / count));
  return heldout.filter((_, i) => i % step === 0).slice(0, count);
}
