/**
 * How the panel and the CLI tell a row whose gold answer was not kept: a file that answers one
 * pair twice, or otherwise than the campaign, contradicts itself, and the researcher should know
 * which answer stands. Pure.
 */
import type { Choice } from "@/db/values";
import type { GoldConflict } from "./schema";

const swappedChoice: Record<Choice, Choice> = { a: "b", b: "a", tie: "tie", both_bad: "both_bad" };

/** After "line 3: ": "gold `a` (`b` in line 2's A/B order, which it swaps), where line 2 has `a`: line 2's pair is kept". */
export function describeGoldConflict({ gold, swapped, keptLine, keptGold }: GoldConflict): string {
  const kept = keptLine === null ? "the stored pair" : `line ${keptLine}`;
  const whose = keptLine === null ? "the stored pair's" : `line ${keptLine}'s`;
  const read = swapped && swappedChoice[gold] !== gold ? ` (\`${swappedChoice[gold]}\` in ${whose} A/B order, which it swaps)` : "";
  return `gold \`${gold}\`${read}, where ${kept} has ${keptGold === null ? "none" : `\`${keptGold}\``}: ${keptLine === null ? "the stored pair" : `line ${keptLine}'s pair`} is kept`;
}
