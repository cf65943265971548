/**
 * Fixtures for the pretraining and SFT tests: a tiny synthetic corpus and definitions written
 * to a temporary folder, with a store beside them.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { END_OF_TEXT } from "./tokenizer";
import { createRng } from "./rng";

const nouns = ["cat", "dog", "bird", "fish", "horse", "mouse"];
const verbs = ["sees", "chases", "follows", "likes"];
const places = ["the barn", "the field", "the river", "the house"];

/** Documents of simple, predictable sentences ("the cat chases the bird in the field."). */
export function syntheticDocs(n: number, seed: number): string[] {
  const rng = createRng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rng.next() * xs.length)];
  return Array.from({ length: n }, () => Array.from({ length: 12 }, () => `the ${pick(nouns)} ${pick(verbs)} the ${pick(nouns)} in ${pick(places)}.`).join(" "));
}

export const definitions = [
  { prompt: "Define: cat", response: "A small domestic animal that purrs." },
  { prompt: "Define: dog", response: "A domestic animal that barks." },
  { prompt: "Define: bird", response: "An animal with wings and feathers." },
  { prompt: "Define: fish", response: "An animal that lives in water." },
  { prompt: "Define: horse", response: "A large animal that people ride." },
  { prompt: "Define: mouse", response: "A small animal with a long tail." },
];

export async function lmFixture(): Promise<{ dir: string; corpus: string; heldout: string; sft: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "pairwise-lm-"));
  const write = async (name: string, text: string) => {
    const file = path.join(dir, name);
    await fs.writeFile(file, text);
    return file;
  };
  return {
    dir,
    corpus: await write("corpus.txt", syntheticDocs(40, 1).join(`\n${END_OF_TEXT}\n`)),
    heldout: await write("heldout.txt", syntheticDocs(4, 2).join(`\n${END_OF_TEXT}\n`)),
    sft: await write("sft.jsonl", definitions.map((d) => JSON.stringify(d)).join("\n") + "\n"),
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
}
