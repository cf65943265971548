import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readImportFile, type ParsedLine } from "./parse";
import type { ImportOptions } from "./schema";

const dir = mkdtempSync(path.join(tmpdir(), "pairwise-parse-"));
let n = 0;

async function parsed(content: string | Buffer, format: ImportOptions["format"]): Promise<ParsedLine[]> {
  const file = path.join(dir, `f${n++}`);
  writeFileSync(file, content);
  const out: ParsedLine[] = [];
  for await (const p of readImportFile(file, { format, trlAs: "label", maxPairsPerPrompt: 0 })) out.push(p);
  return out;
}

const errors = (lines: ParsedLine[]) => lines.flatMap((p) => ("error" in p ? [{ line: p.line, error: p.error }] : []));
const prompts = (lines: ParsedLine[]) => lines.flatMap((p) => ("row" in p ? [p.row.prompt] : []));

describe("readImportFile", () => {
  it("reads a JSONL file saved with a UTF-8 byte order mark and CRLF line ends (Windows Notepad's UTF-8)", async () => {
    const rows = [
      { prompt: "Was ist Entropie?", response_a: "Ein Maß für Unordnung.", response_b: "Wärme." },
      { prompt: "什么是熵？", response_a: "无序程度。", response_b: "不知道 🤷" },
    ];
    const lines = await parsed(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rows.map((r) => JSON.stringify(r)).join("\r\n") + "\r\n")]), "jsonl");
    expect(errors(lines)).toEqual([]);
    expect(prompts(lines)).toEqual(["Was ist Entropie?", "什么是熵？"]);
  });

  it("says a response that is missing, or an empty CSV cell, is required rather than 'Invalid input'", async () => {
    const jsonl = await parsed(JSON.stringify({ prompt: "p", response_a: "a" }) + "\n" + JSON.stringify({ prompt: "p", response_a: "a", response_b: 5 }) + "\n", "jsonl");
    expect(errors(jsonl)).toEqual([
      { line: 1, error: "response_b: is required" },
      { line: 2, error: "response_b: must be text or {text, source, metadata}" },
    ]);
    const csv = await parsed("prompt,response_a,response_b\np,a,\n,a,b\n", "csv");
    expect(errors(csv)).toEqual([
      { line: 2, error: "response_b: is required" },
      { line: 3, error: "prompt: is required" },
    ]);
  });
});
