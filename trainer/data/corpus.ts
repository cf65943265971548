/**
 * The committed corpus and SFT demonstrations (built by build-corpus.ts), and researcher-supplied
 * {prompt, response} or message-list JSONL.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { z } from "zod";
import type { ChatMessage, PromptInput } from "../prompt-format";
import { END_OF_TEXT } from "../tokenizer";

/** The folder holding the committed data files (this file's folder). */
export const dataDir = path.dirname(fileURLToPath(import.meta.url));

export function corpusFiles(dir = dataDir) {
  return {
    corpusTrain: path.join(dir, "corpus-train.txt.gz"),
    corpusHeldout: path.join(dir, "corpus-heldout.txt.gz"),
    sftTrain: path.join(dir, "sft-train.jsonl.gz"),
    sftHeldout: path.join(dir, "sft-heldout.jsonl.gz"),
    heldoutHeadwords: path.join(dir, "sft-heldout-headwords.txt"),
  };
}

export interface SftExample {
  prompt: string | ChatMessage[];
  response: string;
}

function readMaybeGz(file: string): string {
  const bytes = fs.readFileSync(file);
  return (file.endsWith(".gz") ? zlib.gunzipSync(bytes) : bytes).toString("utf8");
}

/** Documents of a corpus file: a .txt(.gz) with "\n<|endoftext|>\n" between documents. */
export function readCorpusDocs(file: string): string[] {
  return readMaybeGz(file).split(`\n${END_OF_TEXT}\n`).filter(Boolean);
}

const message = z.object({ role: z.enum(["system", "user", "assistant"]), content: z.string() });
const row = z.union([
  z.object({ prompt: z.union([z.string(), z.array(message).min(1)]), response: z.string().min(1) }),
  // A message list whose last message is the assistant's answer (the chat format of TRL/OpenAI).
  z.object({ messages: z.array(message).min(2) }).refine((r) => r.messages.at(-1)!.role === "assistant", "the last message must be the assistant's"),
]);

/** Reads {prompt, response} or {messages: [...]} rows from JSONL (optionally gzipped); refuses a bad row with its line number. */
export function readSftJsonl(file: string): SftExample[] {
  const out: SftExample[] = [];
  readMaybeGz(file)
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      let parsed: z.infer<typeof row>;
      try {
        parsed = row.parse(JSON.parse(line));
      } catch (e) {
        throw new Error(`${file}:${i + 1}: not a {prompt, response} or {messages} row: ${e instanceof z.ZodError ? e.issues.map((x) => x.message).join("; ") : (e as Error).message}`);
      }
      if ("messages" in parsed) out.push({ prompt: parsed.messages.slice(0, -1), response: parsed.messages.at(-1)!.content });
      else out.push(parsed);
    });
  return out;
}

/** The prompts of the held-out SFT demonstrations ("Define: <headword>", 377 of them): eval's default prompts. */
export function heldoutPrompts(): PromptInput[] {
  return readSftJsonl(corpusFiles().sftHeldout).map((e) => e.prompt);
}

/** The held-out headwords saved by build-corpus. */
export function readHeldoutHeadwords(file = corpusFiles().heldoutHeadwords): string[] {
  return fs.readFileSync(file, "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
}
