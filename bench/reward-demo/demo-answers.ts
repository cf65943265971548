/**
 * demo-sft's own answers to prompts, the losing side of the demo judgments that
 * bench/reward-demo and bench/rlhf/demo-ppo build: sampled at temperature 0.8, top-p 0.95, at
 * most 24 tokens, seeded by position so both benches see the same answers.
 */
import { type CheckpointStore, loadCheckpoint } from "@/trainer/checkpoint";
import { generate } from "@/trainer/generate";
import { disposeModel } from "@/trainer/model";
import { formatPrompt, parseResponse, type PromptInput } from "@/trainer/prompt-format";
import { shippedSftId } from "@/trainer/shipped";

export async function sampleDemoAnswers(store: CheckpointStore, prompts: PromptInput[]): Promise<string[]> {
  const { model, tokenizer } = await loadCheckpoint(store, shippedSftId);
  try {
    const answers: string[] = [];
    for (let i = 0; i < prompts.length; i += 32) {
      const batch = prompts.slice(i, i + 32).map(formatPrompt);
      for (const g of generate(model, tokenizer, batch, { maxNewTokens: 24, temperature: 0.8, topP: 0.95, seed: i, stop: ["\n"] })) answers.push(parseResponse(g.text) || "(no answer)");
    }
    return answers;
  } finally {
    disposeModel(model);
  }
}
