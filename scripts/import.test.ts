/**
 * `npm run import` as a researcher runs it: the script in a child process against the test
 * database, its refusals and notes read from stderr.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { childProcessEnv } from "@/lib/env";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";

const dir = mkdtempSync(path.join(tmpdir(), "pairwise-import-cli-"));
function file(name: string, rows: Record<string, unknown>[]): string {
  const p = path.join(dir, name);
  writeFileSync(p, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return p;
}
const importCli = (campaignId: string, file: string) =>
  spawnSync(process.execPath, ["--import", "tsx", "--conditions=react-server", "scripts/import.ts", "--campaign", campaignId, file], { env: childProcessEnv(), encoding: "utf8", timeout: 120_000 });

describe("npm run import", () => {
  it("says once that every row has the same look-alike key, instead of a line per row", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const rows = Array.from({ length: 500 }, (_, i) => ({ prompt: `Define: word ${i}`, response_a: `A word ${i}.`, response_b: "A fish.", gold_choice: "a" }));
    const result = importCli(campaign.id, file("every-gold-choice.jsonl", rows));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      "Refused: 500 bad line(s); nothing was written.\n" +
        "  Every row has `gold_choice`: did you mean `gold`? Rename the key in the file (a key this close to one Pairwise reads is refused rather than ignored, so its values are not dropped).\n",
    );
  });

  it("records its refusal in the audit log, as the page and the API do, with no actor (a system event)", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const result = importCli(campaign.id, file("cli-refused.jsonl", [{ prompt: "Define: owl", response_a: "A night bird." }]));
    expect(result.status).toBe(1);
    const events = await db
      .select({ actorId: auditEvents.actorId, details: auditEvents.details })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "campaign.import_refused"), eq(auditEvents.targetId, campaign.id)));
    expect(events).toEqual([{ actorId: null, details: { reason: "bad_lines", rows: 1, errorCount: 1, errors: [{ line: 1, message: "response_b: is required" }] } }]);
  });

  it("says once that 499 rows lack the same key, and names the odd line beside them", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const rows: Record<string, unknown>[] = Array.from({ length: 500 }, (_, i) => ({ prompt: `Define: word ${i}`, response_a: `A word ${i}.` }));
    rows[249] = { prompt: "Define: owl", response_a: "A night bird.", response_b: "" };
    const result = importCli(campaign.id, file("no-response-b.jsonl", rows));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      "Refused: 500 bad line(s); nothing was written.\n" +
        "  499 of 500 rows (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, …): response_b: is required\n" +
        "  line 250: response_b: A response is empty.\n",
    );
  });

  it("names each bad line when they are bad for different reasons, and lists the keys it left out", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const mixed = importCli(
      campaign.id,
      file("mixed.jsonl", [
        { prompt: "Define: owl", response_a: "A night bird.", response_b: "A fish.", gold_choice: "a" },
        { prompt: [{ role: "user", Content: "Define: cat" }], response_a: "A feline.", response_b: "A car." },
      ]),
    );
    expect(mixed.status).toBe(1);
    expect(mixed.stderr).toContain("  line 1: Unknown key `gold_choice` (did you mean `gold`?)");
    expect(mixed.stderr).toContain("  line 2: Unknown key `prompt[0].Content` (did you mean `prompt[0].content`?)");

    const good = importCli(campaign.id, file("foo.jsonl", [{ prompt: [{ role: "user", content: "Define: owl", name: "ann" }], response_a: "A night bird.", response_b: "A fish.", foo: 1 }]));
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^Imported 1 rows: 1 pairs created/);
    expect(good.stderr).toBe("Ignored 2 key(s) that Pairwise does not read:\n  `foo`: 1 row, line 1\n  `prompt[].name`: 1 row, line 1\n");
  });

  it("imports a file whose rows answer one pair twice, and says which rows' gold answers were not kept", async () => {
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const result = importCli(
      campaign.id,
      file("gold-twice.jsonl", [
        { prompt: "Define: owl", response_a: "A night bird.", response_b: "A fish.", gold: "a" },
        { prompt: "Define: cat", response_a: "A feline.", response_b: "A car.", gold: "a" },
        { prompt: "Define: owl", response_a: "A fish.", response_b: "A night bird.", gold: "a" },
      ]),
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Imported 3 rows: 2 pairs created, 1 duplicates skipped/);
    expect(result.stderr).toBe(
      "1 skipped row(s) repeat a pair with another gold answer; the pair kept keeps its own:\n" +
        "  line 3: gold `a` (`b` in line 1's A/B order, which it swaps), where line 1 has `a`: line 1's pair is kept\n",
    );
  });
});
