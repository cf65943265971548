/**
 * Import fuzzing through the import route, in-process against real Postgres: files of
 * good lines with bad ones mixed in (broken UTF-8, wrong types, unstorable text, CSV
 * quoting traps, a 10 MB field, a huge line) must be refused whole with a 4xx that names
 * the bad lines, and leave every table's row count as it was.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { countTableRows } from "@/lib/backup/backup";
import { MAX_LINE_BYTES } from "@/lib/imports/parse";
import { fuzzSeed } from "@/lib/testing/fuzz";
import { buildFuzzWorld, cancelFuzzRuns, type FuzzWorld } from "@/lib/testing/fuzz-world";
import { inRequestScope } from "@/lib/testing/request-scope";

const seed = fuzzSeed;
let world: FuzzWorld;
let POST: (request: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;

beforeAll(async () => {
  ({ POST } = await import("@/app/api/v1/campaigns/[id]/import/route"));
  world = await buildFuzzWorld();
}, 120_000);

afterAll(async () => {
  if (world) await cancelFuzzRuns(world);
});

const rowCounts = () => countTableRows({ sql: db.$client });
/** The tables' rows after `refused` refusals: as before but one campaign.import_refused event each. */
const afterRefusals = (before: Awaited<ReturnType<typeof rowCounts>>, refused: number) => ({ ...before, audit_events: before.audit_events! + refused });

type ImportAnswer = { status: number; body: { ok?: boolean; errors?: { line: number; message: string }[]; error?: { message: string } } };

async function importFile(content: Uint8Array<ArrayBuffer> | string, format: "jsonl" | "csv"): Promise<ImportAnswer> {
  const request = new Request(`http://localhost:3000/api/v1/campaigns/${world.campaign.id}/import?format=${format}`, {
    method: "POST",
    headers: { authorization: `Bearer ${world.tokens.researcher}`, "content-type": format === "csv" ? "text/csv" : "application/x-ndjson" },
    body: content,
  });
  const res = await inRequestScope(request, (r) => POST(r, { params: Promise.resolve({ id: world.campaign.id }) }));
  return { status: res.status, body: (await res.json()) as ImportAnswer["body"] };
}

/** A refusal: a 4xx with a message, and the bad lines named when the answer lists lines. */
function expectRefused(answer: ImportAnswer, badLines: number[] = []): void {
  expect(answer.status, JSON.stringify(answer.body).slice(0, 500)).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  if (answer.body.errors) {
    expect(answer.body.ok).toBe(false);
    expect(answer.body.errors.length).toBeGreaterThan(0);
    for (const e of answer.body.errors) expect(e.message.length).toBeGreaterThan(5);
    for (const line of badLines) expect(answer.body.errors.map((e) => e.line)).toContain(line);
  } else {
    expect(answer.body.error?.message.length).toBeGreaterThan(5);
  }
}

const goodRow = fc.record({ prompt: fc.string({ minLength: 1, maxLength: 30 }), response_a: fc.string({ minLength: 1, maxLength: 30 }), response_b: fc.string({ minLength: 1, maxLength: 30 }) }).map((r) => ({
  // Only well-formed text: the good lines must be good.
  prompt: `p ${r.prompt.replace(/[\uD800-\uDFFF\u0000\uFFFD]/g, "")}`,
  response_a: `a ${r.response_a.replace(/[\uD800-\uDFFF\u0000\uFFFD]/g, "")}`,
  response_b: `b ${r.response_b.replace(/[\uD800-\uDFFF\u0000\uFFFD]/g, "")}`,
}));

/** Byte sequences that are not UTF-8: stray continuation bytes, truncated and overlong forms, encoded surrogates, 0xFF. */
const brokenUtf8 = fc.constantFrom([0xff], [0xfe, 0xff], [0x80], [0xc3], [0xc3, 0x28], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]);

/** A JSONL line that must be refused, as bytes. */
const badJsonlLine: fc.Arbitrary<Uint8Array<ArrayBuffer>> = fc.oneof(
  // broken UTF-8 inside an otherwise good line
  fc.tuple(goodRow, brokenUtf8, fc.nat()).map(([row, bytes, at]) => {
    const text = Buffer.from(JSON.stringify(row));
    const i = 2 + (at % (text.length - 4));
    return new Uint8Array(Buffer.concat([text.subarray(0, i), Buffer.from(bytes), text.subarray(i)]));
  }),
  // wrong types in a known field
  fc
    .oneof(
      fc.tuple(goodRow, fc.constantFrom("prompt", "response_a", "response_b"), fc.constantFrom<unknown>(42, true, null, "", [], [1, 2], { text: 7 })),
      fc.tuple(goodRow, fc.constant("gold"), fc.constantFrom<unknown>("A", "x", 3, null, true)),
      fc.tuple(goodRow, fc.constant("metadata"), fc.constantFrom<unknown>("text", 5, true)),
      fc.tuple(goodRow, fc.constant("responses"), fc.constantFrom<unknown>(42, "many", [], ["only one"], [1, 2])),
    )
    .map(([row, key, value]) => new Uint8Array(Buffer.from(JSON.stringify({ ...row, [key]: value })))),
  // text PostgreSQL cannot store
  fc.tuple(goodRow, fc.constantFrom("\u0000", "\uD800", "a\uDFFFb")).map(([row, bad]) => new Uint8Array(Buffer.from(JSON.stringify({ ...row, response_b: `x${bad}` })))),
  fc.tuple(goodRow, fc.constantFrom("\u0000", "\uD834")).map(([row, bad]) => new Uint8Array(Buffer.from(JSON.stringify({ ...row, metadata: { [`k${bad}`]: 1 } })))),
  // not JSON, or not an object
  fc.constantFrom("{", "[1,2]", "null", '"text"', "42", "{'single': 'quotes'}", '{"prompt": "p", "response_a": "a", "response_b": "b"', "prompt,response_a,response_b", "\u001b[31mred").map((s) => new Uint8Array(Buffer.from(s))),
);

/** A CSV file (header and rows) with one trap in it; returns the bytes and the trap's 1-based line. */
const badCsv: fc.Arbitrary<{ bytes: Uint8Array<ArrayBuffer>; line: number }> = fc
  .tuple(
    fc.array(goodRow, { minLength: 1, maxLength: 5 }),
    fc.constantFrom(
      '"unclosed,a,b', // a quote that never closes
      'p,a"b,c', // a quote inside an unquoted field
      '"p"x,a,b', // text after a closing quote
      "p,a,b,extra", // one field too many
      "p,a", // one field too few
      '"p""",a,b"', // doubled-quote confusion
      "p,\u0000,b", // NUL
      "p,a,\uFFFDb", // already-replaced bytes
      '"p\r",a,"b', // CR inside a quoted field, then an unclosed one
    ),
    fc.nat(),
  )
  .map(([rows, trap, at]) => {
    const lines = ["prompt,response_a,response_b", ...rows.map((r) => [r.prompt, r.response_a, r.response_b].map((c) => `"${c.replace(/"/g, '""')}"`).join(","))];
    const index = 1 + (at % lines.length);
    lines.splice(index, 0, trap);
    return { bytes: new Uint8Array(Buffer.from(lines.join("\n") + "\n")), line: index + 1 };
  });

describe("import fuzz (real Postgres)", () => {
  it("refuses JSONL files with a bad line anywhere, naming it, and writes nothing", async () => {
    const before = await rowCounts();
    let files = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(goodRow, { maxLength: 6 }), badJsonlLine, fc.nat(), async (good, bad, at) => {
        const lines = good.map((r) => Buffer.from(JSON.stringify(r)));
        const index = at % (lines.length + 1);
        lines.splice(index, 0, Buffer.from(bad));
        const content = Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")]));
        expectRefused(await importFile(new Uint8Array(content), "jsonl"), [index + 1]);
        files++;
      }),
      { numRuns: 150, seed },
    );
    expect(await rowCounts()).toEqual(afterRefusals(before, files));
    console.log(`import fuzz: ${files} bad JSONL files refused (seed ${seed})`);
  }, 120_000);

  it("refuses CSV files with quoting traps and broken bytes, and writes nothing", async () => {
    const before = await rowCounts();
    let files = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(badCsv, fc.tuple(badCsv, brokenUtf8).map(([f, b]) => ({ bytes: new Uint8Array(Buffer.concat([Buffer.from(f.bytes), Buffer.from(b)])), line: -1 }))), async ({ bytes }) => {
        expectRefused(await importFile(bytes, "csv"));
        files++;
      }),
      { numRuns: 100, seed },
    );
    expect(await rowCounts()).toEqual(afterRefusals(before, files));
    console.log(`import fuzz: ${files} bad CSV files refused (seed ${seed})`);
  }, 120_000);

  it("refuses a 10 MB field, a line over the limit, binary data and an empty file; writes nothing", async () => {
    const before = await rowCounts();
    const tenMb = "x".repeat(10 * 2 ** 20);
    const good = JSON.stringify({ prompt: "p", response_a: "a", response_b: "b" });
    const cases: { name: string; content: Uint8Array<ArrayBuffer> | string; format: "jsonl" | "csv"; line?: number; message: RegExp }[] = [
      { name: "10 MB JSONL field", content: `${good}\n${JSON.stringify({ prompt: "p", response_a: tenMb, response_b: "b" })}\n`, format: "jsonl", line: 2, message: /over 4000000 characters/ },
      { name: "10 MB CSV cell", content: `prompt,response_a,response_b\np,"${tenMb}",b\n`, format: "csv", message: /CSV/ },
      { name: "a line just over the limit", content: `${"y".repeat(MAX_LINE_BYTES + 1)}\n${good}\n`, format: "jsonl", line: 1, message: /over 4000000 characters/ },
      { name: "gzip bytes", content: new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00, 0x00, 0x0a, 0x80, 0x81]), format: "jsonl", message: /not UTF-8 text/ },
      { name: "an empty file", content: "", format: "jsonl", message: /no rows|Send the file/ },
      { name: "only blank lines", content: "\n\n  \n", format: "jsonl", message: /no rows/ },
      { name: "a CSV header and nothing else", content: "prompt,response_a,response_b\n", format: "csv", message: /no rows/ },
      { name: "a CSV with no header it knows", content: "a,b,c\n1,2,3\n", format: "csv", line: 2, message: /Expected \{prompt/ },
    ];
    for (const c of cases) {
      const answer = await importFile(c.content, c.format);
      expectRefused(answer, c.line ? [c.line] : []);
      const messages = answer.body.errors?.map((e) => e.message).join(" | ") ?? answer.body.error?.message ?? "";
      expect(messages, c.name).toMatch(c.message);
    }
    expect(await rowCounts()).toEqual(afterRefusals(before, cases.length));
  }, 120_000);

  it("still imports a good file after all that", async () => {
    const answer = await importFile(`${JSON.stringify({ prompt: "fuzz good", response_a: "a", response_b: "b" })}\n`, "jsonl");
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, pairsCreated: 1 });
  });
});
