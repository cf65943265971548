import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { trlRecord } from "@/lib/exports/render";
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

  it("reads back the conversational TRL rows Pairwise's own TRL export writes (chosen and rejected as one assistant message)", async () => {
    const prompt = [{ role: "user" as const, content: "Hi 👋" }];
    const exported = [
      trlRecord({ promptId: "p1", prompt, chosen: "Hello!", rejected: "Go away.", strength: 3, weight: 1, tie: false }),
      trlRecord({ promptId: "p2", prompt: "Plain", chosen: "Yes.", rejected: "No.", strength: null, weight: 1, tie: false }),
    ];
    const lines = await parsed(exported.map((r) => JSON.stringify(r)).join("\n") + "\n", "jsonl");
    expect(errors(lines)).toEqual([]);
    expect(lines.map((p) => ("row" in p ? [p.row.prompt, p.row.pairs.map((x) => [x.a.text, x.b.text])] : null))).toEqual([
      [prompt, [["Hello!", "Go away."]]],
      ["Plain", [["Yes.", "No."]]],
    ]);
    // Anything else in a list is said, not guessed at.
    const twoTurns = { prompt, chosen: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello!" }], rejected: "No." };
    expect(errors(await parsed(JSON.stringify(twoTurns) + "\n", "jsonl"))).toEqual([
      { line: 1, error: "chosen: must be text, {text, source, metadata} or one assistant message [{role: \"assistant\", content}]" },
    ]);
  });

  it("refuses a JSON array or an object spread over lines (a .json file, which the file picker offers) once, saying to put one object per line", async () => {
    const rows = [1, 2, 3].map((i) => ({ prompt: `p${i}`, response_a: "a", response_b: "b" }));
    const message = "The file is JSON spread over several lines or an array, not JSON Lines: put each row's object on a line of its own (jq -c '.[]' file.json > file.jsonl).";
    for (const text of [JSON.stringify(rows, null, 2), JSON.stringify(rows), "\n" + JSON.stringify(rows[0], null, 2)]) {
      expect(errors(await parsed(text + "\n", "jsonl"))).toEqual([{ line: text.startsWith("\n") ? 2 : 1, error: message }]);
    }
  });

  it("refuses a CSV read as JSONL once, saying to import it as CSV, not with 'Not valid JSON' on every line", async () => {
    const csv = 'prompt,response_a,response_b,gold\n"Define: harbor","A port, sheltered.",A boat.,a\nDefine: ember,A coal.,Ash.,b\n';
    expect(errors(await parsed(csv, "jsonl"))).toEqual([
      {
        line: 1,
        error:
          "The first line is a CSV header (prompt,response_a,response_b,gold), not JSON: import the file as CSV (CSV in the page's format menu, ?format=csv or content-type text/csv through the API, --format csv with npm run import).",
      },
    ]);
    // A JSON line that holds a comma and a key name is read as JSON.
    expect(errors(await parsed(JSON.stringify({ prompt: "p,prompt", response_a: "a", response_b: "b" }) + "\n", "jsonl"))).toEqual([]);
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

  it("refuses a CSV whose columns are separated by semicolons or tabs (a spreadsheet's CSV in some languages) once, saying so", async () => {
    const message = (sep: string) =>
      `The header row is one column, ${JSON.stringify(`prompt${sep}response_a${sep}response_b`)}: separate the columns with commas (some spreadsheets save CSV with semicolons or tabs).`;
    for (const sep of [";", "\t"]) {
      const plain = await parsed(`prompt${sep}response_a${sep}response_b\r\nWas ist Entropie?${sep}Ein Maß.${sep}Wärme.\r\nx${sep}y${sep}z\r\n`, "csv");
      expect(errors(plain)).toEqual([{ line: 1, error: message(sep) }]);
      // A quoted cell there breaks the parse itself, before the header reaches the import.
      const quoted = await parsed(`prompt${sep}response_a${sep}response_b\r\nx${sep}y${sep}z\r\n"Zwei${sep} Drei"${sep}"a"${sep}"b"\r\n`, "csv");
      expect(errors(quoted)).toEqual([{ line: 1, error: message(sep) }]);
    }
  });

  it("numbers a CSV row by the line it starts on, in CRLF files with line breaks in quoted cells and blank lines too", async () => {
    // Lines: 1 header (after a BOM), 2 p1, 3 blank, 4-6 p2 (a cell over three lines, its response_b empty),
    // 7 p3, 8-9 p4 (a bare LF inside a cell, as Excel writes), 10 p5 with a missing column.
    const crlf = '\uFEFFprompt,response_a,response_b\r\n"p1","a1","b1"\r\n\r\n"p2\r\nmore\r\nlines","a2",""\r\np3,a3,b3\r\n"p4","a\nfour",\r\np5,a5\r\n';
    const lines = await parsed(crlf, "csv");
    expect(prompts(lines)).toEqual(["p1", "p3"]);
    expect(errors(lines)).toEqual([
      { line: 4, error: "response_b: is required" },
      { line: 8, error: "response_b: is required" },
      { line: 10, error: "CSV: Invalid Record Length: expect 3, got 2" },
    ]);
    // A parse error in the file's first chunk, after rows the parser read but the import had not yet taken.
    const quote = await parsed('prompt,response_a,response_b\r\np1,a1,b1\r\n"p2" x,a2,b2\r\n', "csv");
    expect(errors(quote).map((e) => e.line)).toEqual([3]);
    expect(errors(quote)[0]!.error).toMatch(/^CSV: Invalid Closing Quote: got " " instead of delimiter/);
    const lf = 'prompt,response_a,response_b\n"p1","a1","b1"\n\n\n"p2\nmore","a2",""\n"p3","a\n\n3","b3"\np4,"a4",\n';
    expect(errors(await parsed(lf, "csv"))).toEqual([
      { line: 5, error: "response_b: is required" },
      { line: 10, error: "response_b: is required" },
    ]);
  });
});
