import { choiceValues, importFormatValues, importTrlAsValues } from "@/db/values";
import { z } from "@/lib/api/zod";
import { promptContentSchema } from "@/lib/labeling/schema";

const MAX_TEXT = 200_000;

/** A response: its text, or the text with the model/checkpoint it came from and metadata. */
const importResponseSchema = z.union(
  [
    z.string().min(1, "A response is empty.").max(MAX_TEXT),
    z.object({
      text: z.string().min(1, "A response is empty.").max(MAX_TEXT),
      source: z.string().min(1).max(200).optional(),
      metadata: z.record(z.string(), z.unknown()).optional(),
    }),
  ],
  { error: (iss) => (iss.input === undefined ? "is required" : "must be text or {text, source, metadata}") },
);
export type ImportResponse = z.infer<typeof importResponseSchema>;

const base = { prompt: promptContentSchema, metadata: z.record(z.string(), z.unknown()).optional() };

export const pairRowSchema = z.object({
  ...base,
  response_a: importResponseSchema,
  response_b: importResponseSchema,
  gold: z.enum(choiceValues).optional(),
});
export const multiRowSchema = z.object({ ...base, responses: z.array(importResponseSchema).min(2, "`responses` needs at least 2 entries.").max(64) });
/** TRL's conversational form (Pairwise's own TRL export writes it): the answer as one assistant message. */
const trlResponseSchema = z.union(
  [importResponseSchema, z.tuple([z.object({ role: z.literal("assistant"), content: z.string().min(1, "A response is empty.").max(MAX_TEXT) })])],
  { error: (iss) => (iss.input === undefined ? "is required" : 'must be text, {text, source, metadata} or one assistant message [{role: "assistant", content}]') },
);
export const trlRowSchema = z.object({ ...base, chosen: trlResponseSchema, rejected: trlResponseSchema });

export const importOptionsSchema = z
  .object({
    format: z.enum(importFormatValues).default("jsonl").openapi({ description: "Absent: `csv` when the body is sent as `text/csv`, else `jsonl`." }),
    /** TRL rows `{prompt, chosen, rejected}`: gold pairs with a known answer, or pairs to label afresh. */
    trlAs: z.enum(importTrlAsValues).default("label"),
    /** `{prompt, responses}` rows: keep at most this many of the K-choose-2 pairs per prompt (seeded sample); 0 = all. */
    maxPairsPerPrompt: z.coerce.number().int().min(0).max(2016).default(0),
  })
  .openapi("ImportOptions");
export type ImportOptions = z.infer<typeof importOptionsSchema>;

/** The format a request body declares: `text/csv` is CSV; anything else leaves the default (JSONL). */
export function importFormatOf(contentType: string | null): ImportOptions["format"] | undefined {
  return contentType?.split(";")[0]!.trim().toLowerCase() === "text/csv" ? "csv" : undefined;
}

const importErrorSchema = z
  .object({
    line: z.number().openapi({ description: "The bad line; for an error that stands for many lines, the first of them." }),
    message: z.string(),
    rows: z.number().optional().openapi({
      description: "Present when one error stands for two or more lines refused for the same reason (the same look-alike keys, as every row having `gold_choice` where `gold` was meant, or else exactly the same message): how many lines. Absent: the error is one line's.",
    }),
  })
  .openapi("ImportError");
export type ImportError = z.infer<typeof importErrorSchema>;

const ignoredKeySchema = z
  .object({
    key: z.string().openapi({ description: "The key as the file spells it; inside a response or a chat message, its path (`response_a.model`, `responses[].score`, `prompt[].name`)." }),
    rows: z.number().openapi({ description: "Rows that have it." }),
    firstLine: z.number(),
    suggestion: z.string().nullable().openapi({ description: "The known key it is spelt like (case, `-`/`_`, spaces, a typo), when the row has that key too; else null." }),
  })
  .openapi("IgnoredImportKey");
export type IgnoredKey = z.infer<typeof ignoredKeySchema>;

const goldConflictSchema = z
  .object({
    line: z.number().openapi({ description: "The row skipped as a duplicate whose gold answer was not kept." }),
    gold: z.enum(choiceValues).openapi({ description: "Its gold answer, as the row gives it." }),
    swapped: z.boolean().openapi({ description: "Whether its A and B are the kept pair's swapped, so that its `a` is the kept pair's `b` and its `b` the kept pair's `a`." }),
    keptLine: z.number().nullable().openapi({ description: "The earlier row of the file whose pair was kept; null when the campaign held the pair already." }),
    keptGold: z.enum(choiceValues).nullable().openapi({ description: "The kept pair's gold answer, in its own A/B order; null when it has none." }),
  })
  .openapi("ImportGoldConflict");
export type GoldConflict = z.infer<typeof goldConflictSchema>;

export const importResultSchema = z
  .object({
    ok: z.boolean(),
    rows: z.number().openapi({ description: "Lines read (blank lines aside)." }),
    pairsCreated: z.number(),
    duplicatesSkipped: z.number().openapi({
      description:
        "Pairs of the file not added because the campaign already holds them, an earlier row of the file made them, or both sides are the same response (the same text and source, as a `responses` list that repeats one). A pair is its two responses in either order: a row with A and B swapped is a duplicate.",
    }),
    goldConflictCount: z.number().openapi({
      description:
        "Rows skipped as duplicates whose gold answer was lost: read in the kept pair's A/B order, it differs from the kept pair's (another answer, or the kept pair has none). The kept pair is the first row of the pair in the file, or the campaign's own when it held the pair already; its answer stands. A duplicate without gold claims nothing and is not counted. 0 when the file is refused.",
    }),
    goldConflicts: z.array(goldConflictSchema).openapi({ description: "The first 10 of them, by line." }),
    errorCount: z.number(),
    errors: z.array(importErrorSchema).openapi({
      description:
        "Why lines are bad, in the order of their first lines, the first 100; nothing is written when there is any. Lines refused for the same reason (the same look-alike keys, or else exactly the same message) are one error with `rows`, naming the first 10 lines; a line bad for a reason of its own is an error without `rows`.",
    }),
    ignoredKeys: z.array(ignoredKeySchema).openapi({
      description:
        "Keys of the good rows that Pairwise does not read and left out (the first 100 distinct). A key that looks like a known key the row lacks (`gold_choice` or `Gold` without `gold`) is not ignored: its line is refused, in `errors`.",
    }),
  })
  .openapi("ImportResult");
export type ImportResult = z.infer<typeof importResultSchema>;
