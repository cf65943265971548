/**
 * The one prompt template. SFT training, generation and reward scoring all format through
 * these functions, so what the model is trained on and what it is asked never drift apart.
 *
 *   User: Define: harbor
 *   Assistant: A sheltered port where ships can take on or discharge cargo.<|endoftext|>
 *
 * The response begins with a space after "Assistant:" so that the prompt's tokens are a
 * prefix of the whole example's tokens (byte-level BPE splits before a space).
 */
import { toStorableText } from "@/lib/api/storable-text";
import { END_OF_TEXT, type Tokenizer } from "./tokenizer";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}
export type PromptInput = string | ChatMessage[];

const ROLE_LABEL: Record<ChatMessage["role"], string> = { system: "System", user: "User", assistant: "Assistant" };

/** The text the model continues: the turns so far, then "Assistant:". A string is one user turn. */
export function formatPrompt(prompt: PromptInput): string {
  const turns = typeof prompt === "string" ? [{ role: "user" as const, content: prompt }] : prompt;
  return turns.map((m) => `${ROLE_LABEL[m.role]}: ${m.content.trim()}\n`).join("") + "Assistant:";
}

/** The response as it follows the prompt: a leading space, ending with the end-of-text token. */
export function formatResponse(response: string): string {
  return ` ${response.trim()}${END_OF_TEXT}`;
}

/** A whole training example as text. */
export function formatExample(prompt: PromptInput, response: string): string {
  return formatPrompt(prompt) + formatResponse(response);
}

/** Token ids of an example and how many of them are the prompt (loss is taken on the rest). */
export function encodeExample(tokenizer: Tokenizer, prompt: PromptInput, response: string): { ids: number[]; promptLength: number } {
  const p = tokenizer.encode(formatPrompt(prompt));
  const r = tokenizer.encode(formatResponse(response), { allowSpecial: true });
  return { ids: [...p, ...r], promptLength: p.length };
}

/**
 * Cleans a generated continuation into the response text (generation stops at end-of-text). A
 * sampled byte can be NUL, which PostgreSQL cannot store: it becomes U+FFFD here, the one place
 * every generated response passes (generate-pairs, the demo seed, PPO samples, eval, playground).
 */
export function parseResponse(generated: string): string {
  const end = generated.indexOf(END_OF_TEXT);
  return toStorableText((end >= 0 ? generated.slice(0, end) : generated).trim());
}
