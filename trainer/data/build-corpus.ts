/**
 * Builds the committed corpus and SFT demonstrations from the installed Debian packages
 * (see sources.ts). Deterministic: the same packages give byte-identical files.
 *
 *   corpus-train.txt.gz, corpus-heldout.txt.gz  documents separated by "\n<|endoftext|>\n"
 *   sft-train.jsonl.gz, sft-heldout.jsonl.gz    {"prompt": "Define: harbor", "response": "..."} rows
 *   sft-heldout-headwords.txt                   the held-out headwords; read back, never recomputed
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { END_OF_TEXT } from "../tokenizer";
import { readDevilsDictionary, readJargonFile, readNounFirstSenseCounts, readWordNetNounIndex, readWordNetSynsets, readWorldEnglishBible, type Synset } from "./sources";
import { corpusFiles, type SftExample } from "./corpus";
import { demoHeadwords } from "./demo-headwords";

export interface BuildCorpusOptions {
  /** Folder the files are written to. */
  outDir: string;
  /** Most SFT headwords (the commonest nouns by Semcor count whose first gloss fits). */
  sftWords: number;
  /** Share of headwords held out, in percent, when no held-out file exists yet. */
  heldoutPercent: number;
  /** Share of corpus documents held out, in percent. */
  corpusHeldoutPercent: number;
}

/** FNV-1a, a stable hash for the deterministic splits. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The response for a headword: its first noun sense's definition as one sentence. */
function definitionSentence(definition: string): string {
  const d = definition.replace(/\s+/g, " ").trim();
  return d.charAt(0).toUpperCase() + d.slice(1) + (/[.!?]$/.test(d) ? "" : ".");
}

function sftCandidates(synsets: Map<string, Synset>, maxWords: number): Array<{ word: string; synset: Synset }> {
  const index = readWordNetNounIndex();
  const counts = readNounFirstSenseCounts();
  const out: Array<{ word: string; synset: Synset; count: number }> = [];
  for (const [word, offsets] of index) {
    if (!/^[a-z]{3,14}$/.test(word)) continue;
    const synset = synsets.get(`n${offsets[0]}`);
    if (!synset) continue;
    const def = synset.definition;
    const n = def.split(" ").length;
    // A short, self-contained clause that does not define the word by itself.
    if (n < 4 || n > 16 || def.startsWith("(") || new RegExp(`\\b${word}`, "i").test(def)) continue;
    out.push({ word, synset, count: counts.get(word) ?? 0 });
  }
  out.sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : 1));
  const demo = out.filter((c) => demoHeadwords.includes(c.word));
  return [...out.slice(0, maxWords).filter((c) => !demoHeadwords.includes(c.word)), ...demo];
}

function loadOrCreateHeldout(file: string, words: string[], percent: number): Set<string> {
  if (fs.existsSync(file)) {
    // Kept as written: a rebuild must not move words between training and evaluation.
    return new Set(fs.readFileSync(file, "utf8").split("\n").filter((l) => l && !l.startsWith("#")));
  }
  const held = words.filter((w) => demoHeadwords.includes(w) || fnv1a(`heldout:${w}`) % 100 < percent).sort();
  fs.writeFileSync(file, `# SFT held-out headwords: chosen once by build-corpus and kept fixed.\n${held.join("\n")}\n`);
  return new Set(held);
}


const gz = (text: string) => zlib.gzipSync(Buffer.from(text, "utf8"), { level: 9 });
const jsonl = (rows: SftExample[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";

export function buildCorpus(o: BuildCorpusOptions, log: (line: string) => void): Record<string, number> {
  fs.mkdirSync(o.outDir, { recursive: true });
  const files = corpusFiles(o.outDir);
  const synsetList = readWordNetSynsets();
  const synsets = new Map(synsetList.map((s) => [`${s.pos === "s" ? "a" : s.pos}${s.offset}`, s]));

  // 1. SFT demonstrations and the held-out headwords.
  const candidates = sftCandidates(synsets, o.sftWords);
  const heldout = loadOrCreateHeldout(files.heldoutHeadwords, candidates.map((c) => c.word), o.heldoutPercent);
  const heldoutSynsets = new Set(candidates.filter((c) => heldout.has(c.word)).map((c) => c.synset.offset));
  const example = (c: (typeof candidates)[number]): SftExample => ({ prompt: `Define: ${c.word}`, response: definitionSentence(c.synset.definition) });
  const sftHeld = candidates.filter((c) => heldout.has(c.word)).map(example);
  // A training word sharing a held-out word's synset would leak its answer.
  const sftTrain = candidates.filter((c) => !heldout.has(c.word) && !heldoutSynsets.has(c.synset.offset)).map(example);
  sftHeld.sort((a, b) => (a.prompt < b.prompt ? -1 : 1));

  // 2. Corpus documents. WordNet contributes its noun glosses headed by a plain lower-case word
  // (proper names and taxa left out, to keep the file small); held-out headwords' senses stay out.
  const wordnetLines = synsetList
    .filter((s) => s.pos === "n" && /^[a-z]+$/.test(s.words[0]) && !heldoutSynsets.has(s.offset))
    .map((s) => `${s.words.join(", ")}: ${s.gloss}`);
  const wordnetDocs: string[] = [];
  for (let i = 0; i < wordnetLines.length; i += 32) wordnetDocs.push(wordnetLines.slice(i, i + 32).join("\n"));
  const sources: Record<string, string[]> = { web: readWorldEnglishBible(), devil: readDevilsDictionary(), jargon: readJargonFile(), wordnet: wordnetDocs };
  const train: string[] = [];
  const held: string[] = [];
  const stats: Record<string, number> = {};
  for (const [name, docs] of Object.entries(sources)) {
    let chars = 0;
    for (const d of docs) {
      (fnv1a(d) % 100 < o.corpusHeldoutPercent ? held : train).push(d);
      chars += d.length;
    }
    stats[`${name}/docs`] = docs.length;
    stats[`${name}/chars`] = chars;
    log(`${name}: ${docs.length} documents, ${chars.toLocaleString("en")} characters`);
  }
  const sep = `\n${END_OF_TEXT}\n`;
  fs.writeFileSync(files.corpusTrain, gz(train.join(sep)));
  fs.writeFileSync(files.corpusHeldout, gz(held.join(sep)));
  fs.writeFileSync(files.sftTrain, gz(jsonl(sftTrain)));
  fs.writeFileSync(files.sftHeldout, gz(jsonl(sftHeld)));
  Object.assign(stats, { "corpus/train_docs": train.length, "corpus/heldout_docs": held.length, "sft/train": sftTrain.length, "sft/heldout": sftHeld.length });
  log(`corpus: ${train.length} train / ${held.length} held-out documents; sft: ${sftTrain.length} train / ${sftHeld.length} held-out examples`);
  for (const f of Object.values(files)) log(`  ${path.relative(process.cwd(), f)} ${fs.statSync(f).size.toLocaleString("en")} bytes`);
  return stats;
}
