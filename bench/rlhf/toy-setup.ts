/**
 * Writes the toy RLHF task used by docs/rlhf.md's measured figures into the checkpoint store
 * (CHECKPOINT_DIR) and a folder of data files, so every command of the RLHF CLI can be run on it:
 *
 *   CHECKPOINT_DIR=/tmp/toy/ckpt npx tsx bench/rlhf/toy-setup.ts /tmp/toy
 *
 * Task: prompts "say W", responses are a few words from a 10-word vocabulary; people "prefer"
 * responses that contain "blue". Writes: checkpoint toy-sft (a tiny model pretrained on the toy
 * text), pairs.jsonl (400 TRL rows), heldout-pairs.jsonl (60 {prompt, response_a, response_b}),
 * prompts.txt / heldout-prompts.txt, heldout.txt (held-out text for perplexity).
 */
import fs from "node:fs";
import path from "node:path";
import { initBackend } from "@/trainer/backend";
import { FolderCheckpointStore } from "@/trainer/checkpoint";
import { formatExample } from "@/trainer/prompt-format";
import { blueWordPreference, saveToySft, toyDemos, toyTokenizer, toyWords } from "@/trainer/rlhf-testing";
import { END_OF_TEXT } from "@/trainer/tokenizer";

const dir = process.argv[2];
if (!dir) throw new Error("usage: toy-setup.ts OUT_DIR");
fs.mkdirSync(dir, { recursive: true });
await initBackend(process.env.TRAINER_BACKEND as never);
const store = new FolderCheckpointStore();
const tokenizer = toyTokenizer();
await saveToySft(store, "toy-sft", tokenizer, { steps: 150 });
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
fs.writeFileSync(path.join(dir, "pairs.jsonl"), jsonl(blueWordPreference(400, 5)));
fs.writeFileSync(path.join(dir, "heldout-pairs.jsonl"), jsonl(blueWordPreference(60, 99).map((r) => ({ prompt: r.prompt, response_a: r.chosen, response_b: r.rejected }))));
fs.writeFileSync(path.join(dir, "prompts.txt"), toyWords.map((w) => `say ${w}`).join("\n") + "\n");
fs.writeFileSync(path.join(dir, "heldout-prompts.txt"), toyWords.flatMap((w) => [`say ${w} now`, `say ${w} please`]).join("\n") + "\n");
fs.writeFileSync(path.join(dir, "heldout.txt"), toyDemos(64, 1234).map((d) => formatExample(d.prompt, d.response).replace(END_OF_TEXT, "")).join(`\n${END_OF_TEXT}\n`));
fs.writeFileSync(path.join(dir, "pretrain.txt"), toyDemos(256, 77).map((d) => formatExample(d.prompt, d.response).replace(END_OF_TEXT, "")).join(`\n${END_OF_TEXT}\n`));
console.log(`toy task in ${dir}, checkpoint toy-sft in ${store.root}`);
