/**
 * Readers for the Debian packages the corpus is built from. Each returns plain-text documents.
 *   sword-text-web  /usr/share/sword/modules/texts/ztext/engWEB2015eb  (World English Bible, SWORD zText, OSIS markup)
 *   dict-devil      /usr/share/dictd/devil.{index,dict.dz}               (The Devil's Dictionary, dictd format)
 *   jargon-text     /usr/share/doc/jargon-text/jargon.txt.gz             (The Jargon File 4.4.7)
 *   wordnet-base    /usr/share/wordnet/{index,data}.{noun,verb,adj,adv}   (WordNet 3.0)
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const sourcePaths = {
  web: "/usr/share/sword/modules/texts/ztext/engWEB2015eb",
  devil: "/usr/share/dictd/devil.dict.dz",
  jargon: "/usr/share/doc/jargon-text/jargon.txt.gz",
  wordnet: "/usr/share/wordnet",
};

/** Collapses the whitespace of a paragraph to single spaces. */
const squash = (s: string) => s.replace(/\s+/g, " ").trim();

/** Splits text at blank lines and reflows each paragraph onto one line. */
function paragraphs(text: string): string[] {
  return text.split(/\n\s*\n/).map(squash).filter(Boolean);
}

/**
 * The World English Bible, one document per chapter. A zText module stores each book as one
 * zlib block; `*.bzs` holds (offset, size, uncompressed size) triples of uint32 LE per block.
 */
export function readWorldEnglishBible(dir = sourcePaths.web): string[] {
  const chapters: string[] = [];
  for (const testament of ["ot", "nt"]) {
    const index = fs.readFileSync(path.join(dir, `${testament}.bzs`));
    const blocks = fs.readFileSync(path.join(dir, `${testament}.bzz`));
    for (let i = 0; i + 12 <= index.length; i += 12) {
      const offset = index.readUInt32LE(i);
      const size = index.readUInt32LE(i + 4);
      const osis = zlib.inflateSync(blocks.subarray(offset, offset + size)).toString("utf8");
      for (const chapter of osis.split(/<chapter\b[^>]*\bsID=/)) {
        const text = squash(
          chapter
          .replace(/<note\b[^>]*>[\s\S]*?<\/note>/g, " ") // footnotes
          .replace(/<title\b[^>]*>[\s\S]*?<\/title>/g, " ") // book and section titles
          .replace(/<[^>]+>/g, "")
          .replace(/\0/g, " ")
            .replace(/^[^>]*>/, ""), // the rest of the split chapter tag
        );
        if (text.length > 200) chapters.push(text);
      }
    }
  }
  return chapters;
}

/** The Devil's Dictionary, one document per entry (a dictd file is gzip-compatible). */
export function readDevilsDictionary(file = sourcePaths.devil): string[] {
  const text = zlib.gunzipSync(fs.readFileSync(file)).toString("utf8");
  const start = text.search(/^ABASEMENT, n\./m);
  if (start < 0) throw new Error(`${file}: could not find the first entry`);
  // Entries start with an upper-case headword and a part of speech: "ABATIS, n.  Rubbish ...".
  const entries = text.slice(start).split(/\n\s*\n(?=[A-Z][A-Z' -]+, [a-z]+\.)/);
  return entries.map((e) => paragraphs(e).join("\n")).filter((e) => e.length > 20);
}

/** The Jargon File, one document per paragraph of prose (tables, headings and index lines dropped). */
export function readJargonFile(file = sourcePaths.jargon): string[] {
  const text = zlib.gunzipSync(fs.readFileSync(file)).toString("utf8");
  return text
    .split(/\n\s*\n/)
    .filter((p) => !/[│├┌└─┬┼]/.test(p))
    .map(squash)
    .filter((p) => p.split(" ").length >= 8);
}

export interface Synset {
  offset: string;
  pos: "n" | "v" | "a" | "s" | "r";
  words: string[];
  /** The definition part of the gloss (before the first ";" that starts the examples). */
  definition: string;
  /** The whole gloss, examples included. */
  gloss: string;
}

const POS_FILES = { noun: "n", verb: "v", adj: "a", adv: "r" } as const;

/** Every WordNet synset of the four data files, in file order. */
export function readWordNetSynsets(dir = sourcePaths.wordnet): Synset[] {
  const out: Synset[] = [];
  for (const file of Object.keys(POS_FILES)) {
    for (const line of fs.readFileSync(path.join(dir, `data.${file}`), "utf8").split("\n")) {
      if (!line || line.startsWith("  ")) continue; // the license header lines start with two spaces
      const bar = line.indexOf(" | ");
      if (bar < 0) continue;
      const fields = line.slice(0, bar).split(" ");
      const count = parseInt(fields[3], 16);
      const words = Array.from({ length: count }, (_, i) => fields[4 + 2 * i].replace(/\(.*\)$/, "").replace(/_/g, " "));
      const gloss = line.slice(bar + 3).trim();
      const definition = gloss.split(/;\s*"/)[0].replace(/;\s*$/, "").trim();
      out.push({ offset: fields[0], pos: fields[2] as Synset["pos"], words, definition, gloss });
    }
  }
  return out;
}

/** Noun lemmas in index order with their synset offsets, most frequent sense first. */
export function readWordNetNounIndex(dir = sourcePaths.wordnet): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of fs.readFileSync(path.join(dir, "index.noun"), "utf8").split("\n")) {
    if (!line || line.startsWith("  ")) continue;
    const f = line.trim().split(" ");
    const senses = Number(f[2]);
    out.set(f[0], f.slice(f.length - senses));
  }
  return out;
}

/** How often each noun's first sense was tagged in the Semcor corpus (cntlist.rev): a frequency proxy. */
export function readNounFirstSenseCounts(dir = sourcePaths.wordnet): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of fs.readFileSync(path.join(dir, "cntlist.rev"), "utf8").split("\n")) {
    const [key, sense, count] = line.split(" ");
    if (!key || sense !== "1") continue;
    const [lemma, rest] = key.split("%");
    if (!rest?.startsWith("1:")) continue; // 1 = noun
    out.set(lemma, (out.get(lemma) ?? 0) + Number(count));
  }
  return out;
}
