/**
 * Tokenizers: a byte-level BPE trained by our own code (saved as a Hugging Face tokenizers
 * tokenizer.json), and GPT-2's own encoding (gpt-tokenizer) for imported GPT-2 checkpoints.
 * Both are byte-level, so any Unicode text round-trips through encode/decode.
 */
import { decode as gpt2Decode, encode as gpt2Encode } from "gpt-tokenizer/encoding/r50k_base";

export const END_OF_TEXT = "<|endoftext|>";

export interface Tokenizer {
  readonly kind: "bpe" | "gpt2";
  readonly vocabSize: number;
  /** End of text; also used as padding. */
  readonly eosId: number;
  readonly padId: number;
  /** allowSpecial: "<|endoftext|>" in the text becomes the special id instead of plain bytes. */
  encode(text: string, opts?: { allowSpecial?: boolean }): number[];
  decode(ids: ArrayLike<number>): string;
  /** The tokenizer.json content, or undefined where the tokenizer is a named, shared one (gpt2). */
  toJSON(): HfTokenizerJson | undefined;
}

/** GPT-2's pre-tokenizer split (what HF's ByteLevel pre-tokenizer applies with use_regex). */
const PRETOKENIZE = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's bytes_to_unicode: each byte as a printable character, the form HF stores vocab in. */
const BYTE_TO_CHAR: string[] = (() => {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const out = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + n++);
  return out;
})();
const CHAR_TO_BYTE = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

function toBytes(chars: string): Uint8Array {
  return Uint8Array.from(Array.from(chars), (c) => {
    const b = CHAR_TO_BYTE.get(c);
    if (b === undefined) throw new Error(`tokenizer.json token has a character outside the byte alphabet: ${c}`);
    return b;
  });
}

export interface HfTokenizerJson {
  version: string;
  added_tokens: Array<{ id: number; content: string; special: boolean; single_word: boolean; lstrip: boolean; rstrip: boolean; normalized: boolean }>;
  normalizer: null;
  pre_tokenizer: { type: "ByteLevel"; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  post_processor: { type: "ByteLevel"; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean } | null;
  decoder: { type: "ByteLevel"; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  model: { type: "BPE"; dropout: null; unk_token: null; continuing_subword_prefix: string; end_of_word_suffix: string; fuse_unk: boolean; byte_fallback: boolean; vocab: Record<string, number>; merges: string[] };
}

const pairKey = (a: number, b: number): number => a * 0x200000 + b;
const utf8 = new TextEncoder();

/** Byte-level BPE over an explicit vocab and merge list (ours, or any GPT-2-style tokenizer.json). */
export class ByteBpeTokenizer implements Tokenizer {
  readonly kind = "bpe" as const;
  readonly vocabSize: number;
  readonly eosId: number;
  readonly padId: number;
  private readonly tokenBytes: Uint8Array[] = [];
  private readonly byteIds: number[] = [];
  private readonly mergeRank = new Map<number, { rank: number; id: number }>();
  private readonly special = new Map<string, number>();
  private readonly specialById = new Map<number, string>();
  private readonly cache = new Map<string, number[]>();

  constructor(private readonly json: HfTokenizerJson) {
    for (const [chars, id] of Object.entries(json.model.vocab)) this.tokenBytes[id] = toBytes(chars);
    for (let b = 0; b < 256; b++) {
      const id = json.model.vocab[BYTE_TO_CHAR[b]];
      if (id === undefined) throw new Error(`tokenizer.json lacks the byte token for ${b}`);
      this.byteIds[b] = id;
    }
    json.model.merges.forEach((m, rank) => {
      const [l, r] = m.split(" ");
      const [a, b, id] = [json.model.vocab[l], json.model.vocab[r], json.model.vocab[l + r]];
      if (a === undefined || b === undefined || id === undefined) throw new Error(`merge "${m}" uses tokens not in the vocab`);
      this.mergeRank.set(pairKey(a, b), { rank, id });
    });
    for (const t of json.added_tokens) {
      this.special.set(t.content, t.id);
      this.specialById.set(t.id, t.content);
    }
    const eos = this.special.get(END_OF_TEXT);
    if (eos === undefined) throw new Error(`tokenizer.json has no ${END_OF_TEXT} token`);
    this.eosId = eos;
    this.padId = eos;
    this.vocabSize = Math.max(...Object.values(json.model.vocab), ...json.added_tokens.map((t) => t.id)) + 1;
  }

  encode(text: string, opts: { allowSpecial?: boolean } = {}): number[] {
    if (!opts.allowSpecial) return this.encodeOrdinary(text);
    const out: number[] = [];
    text.split(END_OF_TEXT).forEach((part, i) => {
      if (i > 0) out.push(this.eosId);
      out.push(...this.encodeOrdinary(part));
    });
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    const out: string[] = [];
    const parts: Uint8Array[] = [];
    const flush = () => {
      if (parts.length) out.push(new TextDecoder().decode(concatBytes(parts)));
      parts.length = 0;
    };
    for (const id of Array.from(ids)) {
      const special = this.specialById.get(id);
      if (special !== undefined) {
        flush();
        out.push(special);
        continue;
      }
      const bytes = this.tokenBytes[id];
      if (!bytes) throw new Error(`token id ${id} is outside the vocab`);
      parts.push(bytes);
    }
    flush();
    return out.join("");
  }

  toJSON(): HfTokenizerJson {
    return this.json;
  }

  private encodeOrdinary(text: string): number[] {
    const out: number[] = [];
    for (const piece of text.match(PRETOKENIZE) ?? []) {
      let ids = this.cache.get(piece);
      if (!ids) {
        ids = this.mergePiece(Array.from(utf8.encode(piece), (b) => this.byteIds[b]));
        if (this.cache.size < 100_000) this.cache.set(piece, ids);
      }
      out.push(...ids);
    }
    return out;
  }

  /** Applies the lowest-ranked merge until none applies (the standard BPE loop). */
  private mergePiece(syms: number[]): number[] {
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < syms.length; i++) {
        const m = this.mergeRank.get(pairKey(syms[i], syms[i + 1]));
        if (m && m.rank < bestRank) [best, bestRank] = [i, m.rank];
      }
      if (best < 0) return syms;
      syms.splice(best, 2, this.mergeRank.get(pairKey(syms[best], syms[best + 1]))!.id);
    }
  }
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Learns merges from text: ids 0-255 are the bytes, then one id per merge, then <|endoftext|>.
 * Each round counts adjacent pairs over distinct pre-tokens (weighted by frequency) and merges
 * the most frequent, ties broken by the smaller pair so training is deterministic.
 */
export function trainByteBpe(texts: Iterable<string>, opts: { vocabSize?: number; minFrequency?: number } = {}): ByteBpeTokenizer {
  const vocabSize = opts.vocabSize ?? 4096;
  const minFrequency = opts.minFrequency ?? 2;
  if (vocabSize < 257) throw new Error(`vocabSize must be at least 257 (256 bytes + ${END_OF_TEXT}), got ${vocabSize}`);
  const counts = new Map<string, number>();
  for (const text of texts) for (const piece of text.match(PRETOKENIZE) ?? []) counts.set(piece, (counts.get(piece) ?? 0) + 1);
  const words = [...counts].map(([piece, count]) => ({ syms: Array.from(utf8.encode(piece)), count }));
  const tokenChars = BYTE_TO_CHAR.slice();
  const merges: string[] = [];
  while (tokenChars.length < vocabSize - 1) {
    const pairs = new Map<number, number>();
    for (const w of words) for (let i = 0; i + 1 < w.syms.length; i++) {
      const k = pairKey(w.syms[i], w.syms[i + 1]);
      pairs.set(k, (pairs.get(k) ?? 0) + w.count);
    }
    let bestKey = -1;
    let bestCount = 0;
    for (const [k, c] of pairs) if (c > bestCount || (c === bestCount && k < bestKey)) [bestKey, bestCount] = [k, c];
    if (bestCount < minFrequency) break;
    const [a, b] = [Math.floor(bestKey / 0x200000), bestKey % 0x200000];
    const id = tokenChars.length;
    tokenChars.push(tokenChars[a] + tokenChars[b]);
    merges.push(`${tokenChars[a]} ${tokenChars[b]}`);
    for (const w of words) {
      for (let i = 0; i + 1 < w.syms.length; i++) if (w.syms[i] === a && w.syms[i + 1] === b) w.syms.splice(i, 2, id);
    }
  }
  const vocab: Record<string, number> = {};
  tokenChars.forEach((chars, id) => (vocab[chars] = id));
  return new ByteBpeTokenizer(hfJson(vocab, merges, tokenChars.length));
}

function hfJson(vocab: Record<string, number>, merges: string[], eosId: number): HfTokenizerJson {
  const byteLevel = { type: "ByteLevel" as const, add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: "1.0",
    added_tokens: [{ id: eosId, content: END_OF_TEXT, special: true, single_word: false, lstrip: false, rstrip: false, normalized: false }],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "", fuse_unk: false, byte_fallback: false, vocab, merges },
  };
}

/** GPT-2's 50257-token encoding, for checkpoints imported from the GPT-2 family. */
export class Gpt2Tokenizer implements Tokenizer {
  readonly kind = "gpt2" as const;
  readonly vocabSize = 50257;
  readonly eosId = 50256;
  readonly padId = 50256;

  encode(text: string, opts: { allowSpecial?: boolean } = {}): number[] {
    return opts.allowSpecial
      ? gpt2Encode(text, { allowedSpecial: new Set([END_OF_TEXT]) })
      : gpt2Encode(text, { disallowedSpecial: new Set() });
  }

  decode(ids: ArrayLike<number>): string {
    return gpt2Decode(Array.from(ids));
  }

  toJSON(): undefined {
    return undefined;
  }
}

/** Reads a tokenizer.json (ours or a GPT-2-family one). */
export function tokenizerFromJson(json: unknown): ByteBpeTokenizer {
  const j = json as HfTokenizerJson;
  if (j?.model?.type !== "BPE" || typeof j.model.vocab !== "object" || !Array.isArray(j.model.merges)) {
    throw new Error("tokenizer.json is not a byte-level BPE tokenizer (model.type BPE with vocab and merges)");
  }
  // Newer tokenizers versions store merges as [left, right] pairs.
  const merges = j.model.merges.map((m: string | string[]) => (Array.isArray(m) ? m.join(" ") : m));
  return new ByteBpeTokenizer({ ...j, added_tokens: j.added_tokens ?? [], model: { ...j.model, merges } });
}
