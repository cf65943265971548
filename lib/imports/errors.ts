/**
 * The bad lines of an import file as the result reports them. Lines refused for one reason are
 * one mistake, told once with how many lines it stands for: a file whose every row lacks
 * `response_b`, or has `gold_choice` where `gold` was meant, would otherwise report 100 identical
 * lines, and an odd line further down would be lost behind them. A reason is the look-alike keys
 * a line is refused for (whatever message they sit in: `prompt[0].Role` and `prompt[2].Role` are
 * one misspelling), else its message, exactly: two JSON errors that quote different lines are two
 * reasons. Pure; bounded memory whatever the file's size.
 */
import { describeNearKeys, nearKeysSignature, type NearKey } from "./keys";
import type { ImportError } from "./schema";

/** The result lists this many errors: a reason each, in the order of their first lines. */
export const MAX_REPORTED_ERRORS = 100;
/** An error that stands for many lines names the first few. */
const MAX_NAMED_LINES = 10;

/** How many of the file's rows an error stands for, and the first of their lines. */
export type RowGroup = { rows: number; total: number; lines: number[] };

/** One error for the lines of a group: "Every row: …", or "2 of 4 rows (lines 2, 4) have `gold_choice`: …". */
export function describeRowGroup(reason: { message: string; near?: NearKey[] }, { rows, total, lines }: RowGroup): string {
  const shown = lines.join(", ") + (rows > lines.length ? ", …" : "");
  const which = rows === total ? "Every row" : `${rows} of ${total} rows (line${rows > 1 ? "s" : ""} ${shown})`;
  if (reason.near?.length) return `${which} ${rows === total ? "has" : "have"} ${describeNearKeys(reason.near)}`;
  return `${which}: ${reason.message}`;
}

type Reason = { message: string; near?: NearKey[]; rows: number; lines: number[] };

/** Collects a file's bad lines, one reason at a time. */
export class RefusedLines {
  /** Every bad line, reported or not. */
  count = 0;
  private reasons = new Map<string, Reason>();

  add({ line, error, near }: { line: number; error: string; near?: NearKey[] }): void {
    this.count++;
    const signature = near?.length ? `near\n${nearKeysSignature(near)}` : `message\n${error}`;
    const reason = this.reasons.get(signature);
    if (reason) {
      reason.rows++;
      if (reason.lines.length < MAX_NAMED_LINES) reason.lines.push(line);
    } else if (this.reasons.size < MAX_REPORTED_ERRORS) {
      // A reason first seen past the 100th would come after the errors reported.
      this.reasons.set(signature, { message: error, near, rows: 1, lines: [line] });
    }
  }

  /** The errors, `total` being the rows read: a line's own message, or one error with `rows` for a reason shared by two or more. */
  errors(total: number): ImportError[] {
    return [...this.reasons.values()].map(({ message, near, rows, lines }) =>
      rows === 1 ? { line: lines[0]!, message } : { line: lines[0]!, rows, message: describeRowGroup({ message, near }, { rows, total, lines }) },
    );
  }
}
