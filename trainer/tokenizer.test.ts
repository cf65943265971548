import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { END_OF_TEXT, Gpt2Tokenizer, tokenizerFromJson, trainByteBpe } from "./tokenizer";

import { createRng } from "./rng";

const rng = createRng(7);
const syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vé", "zu", "ş", "木"];
const word = () => Array.from({ length: 1 + Math.floor(rng.next() * 3) }, () => syllables[Math.floor(rng.next() * syllables.length)]).join("");
const corpus = [
  ...Array.from({ length: 40 }, (_, i) => `the cat sat on the mat ${i}. The dog ate the cat's hat!`),
  ...Array.from({ length: 200 }, () => Array.from({ length: 12 }, word).join(" ")),
];

describe("byte-level BPE", () => {
  const tok = trainByteBpe(corpus, { vocabSize: 400 });

  it("learns merges that shorten frequent text", () => {
    const ids = tok.encode("the cat sat on the mat");
    expect(ids.length).toBeLessThan("the cat sat on the mat".length / 2);
    expect(tok.decode(ids)).toBe("the cat sat on the mat");
    expect(tok.vocabSize).toBe(400);
    expect(tok.eosId).toBe(399);
  });

  it("round-trips arbitrary Unicode", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
        expect(tok.decode(tok.encode(s))).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it("treats <|endoftext|> as text unless special tokens are allowed", () => {
    const text = `a${END_OF_TEXT}b`;
    expect(tok.encode(text)).not.toContain(tok.eosId);
    expect(tok.encode(text, { allowSpecial: true })).toContain(tok.eosId);
    expect(tok.decode(tok.encode(text, { allowSpecial: true }))).toBe(text);
  });

  it("survives a tokenizer.json round trip with identical ids", () => {
    const copy = tokenizerFromJson(JSON.parse(JSON.stringify(tok.toJSON())));
    for (const s of corpus.slice(0, 5)) expect(copy.encode(s)).toEqual(tok.encode(s));
    const json = tok.toJSON();
    expect(json.model.type).toBe("BPE");
    expect(json.pre_tokenizer.type).toBe("ByteLevel");
    expect(json.model.vocab["Ġ"]).toBe(32); // GPT-2's byte alphabet: the space byte is "Ġ"
    expect(json.model.merges.length).toBe(400 - 256 - 1);
  });
});

describe("GPT-2 tokenizer", () => {
  it("matches GPT-2's known ids and round-trips", () => {
    const tok = new Gpt2Tokenizer();
    expect(tok.encode("Hello world")).toEqual([15496, 995]);
    expect(tok.encode(END_OF_TEXT, { allowSpecial: true })).toEqual([50256]);
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 100 }), (s) => {
        expect(tok.decode(tok.encode(s))).toBe(s);
      }),
      { numRuns: 100 },
    );
  });
});
