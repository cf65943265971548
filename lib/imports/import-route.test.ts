/**
 * POST /api/v1/campaigns/{id}/import as an API client sends it: the file as the raw body,
 * with the content type the OpenAPI document offers for it.
 */
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { POST as importRoute } from "@/app/api/v1/campaigns/[id]/import/route";
import { db } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { createApiToken } from "@/lib/auth/tokens";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { makeUser } from "@/lib/testing/fixtures";

const CSV = ['prompt,response_a,response_b', '"Define: anvil","A heavy iron block.","A small bird."', '"Define: cellar","A room below ground.","A person who sells ""goods""."'].join("\n");

describe("import route", () => {
  it("reads a text/csv body as CSV without ?format=csv, and a format in the query still wins", async () => {
    const authorization = `Bearer ${(await createApiToken({ userId: (await makeUser("researcher")).id, name: "import" }))!.token}`;
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const post = (query: string, contentType: string, body: string) =>
      importRoute(new Request(`http://test/api/v1/campaigns/${campaign.id}/import${query}`, { method: "POST", body, headers: { authorization, "content-type": contentType } }), {
        params: Promise.resolve({ id: campaign.id }),
      });

    const csv = await post("", "text/csv; charset=utf-8", CSV);
    expect(csv.status).toBe(200);
    expect(await csv.json()).toMatchObject({ ok: true, rows: 2, pairsCreated: 2 });

    // The query names the format: a CSV body declared as CSV but sent with format=jsonl is read as JSONL.
    const forced = await post("?format=jsonl", "text/csv", CSV);
    expect(forced.status).toBe(422);
    const refused = (await forced.json()) as { errors: { message: string }[] };
    expect(refused.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^The first line is a CSV header \(.*\), not JSON: import the file as CSV/)]);

    const jsonl = await post("", "application/x-ndjson", JSON.stringify({ prompt: "Define: quill", response_a: "A feather pen.", response_b: "A rock." }));
    expect(await jsonl.json()).toMatchObject({ ok: true, rows: 1, pairsCreated: 1 });
  });

  it("answers the keys it left out in its JSON, and 422 for a key that looks like one it reads, once for a file whose every row has it", async () => {
    const authorization = `Bearer ${(await createApiToken({ userId: (await makeUser("researcher")).id, name: "import" }))!.token}`;
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const post = (row: Record<string, unknown>) =>
      importRoute(new Request(`http://test/api/v1/campaigns/${campaign.id}/import`, { method: "POST", body: JSON.stringify(row), headers: { authorization, "content-type": "application/x-ndjson" } }), {
        params: Promise.resolve({ id: campaign.id }),
      });

    const extra = await post({ prompt: "Define: lute", response_a: "A string instrument.", response_b: "A boat.", row_id: "r1" });
    expect(extra.status).toBe(200);
    expect(await extra.json()).toMatchObject({ ok: true, pairsCreated: 1, ignoredKeys: [{ key: "row_id", rows: 1, firstLine: 1, suggestion: null }] });

    const misspelt = await post({ prompt: "Define: harp", response_a: "A string instrument.", response_b: "A fish.", Gold: "a" });
    expect(misspelt.status).toBe(422);
    expect(await misspelt.json()).toMatchObject({ ok: false, pairsCreated: 0, errors: [{ line: 1, message: expect.stringMatching(/^Unknown key `Gold` \(did you mean `gold`\?\)/) }], ignoredKeys: [] });

    // Every row with the same look-alike: one error for the file, with how many lines it stands for.
    const rows = Array.from({ length: 250 }, (_, i) => JSON.stringify({ prompt: `Define: word ${i}`, response_a: "A word.", response_b: "A fish.", gold_choice: "b" }));
    const everyRow = await importRoute(
      new Request(`http://test/api/v1/campaigns/${campaign.id}/import`, { method: "POST", body: rows.join("\n"), headers: { authorization, "content-type": "application/x-ndjson" } }),
      { params: Promise.resolve({ id: campaign.id }) },
    );
    expect(everyRow.status).toBe(422);
    expect(await everyRow.json()).toEqual({
      ok: false,
      rows: 250,
      pairsCreated: 0,
      duplicatesSkipped: 0,
      goldConflictCount: 0,
      goldConflicts: [],
      errorCount: 250,
      errors: [{ line: 1, rows: 250, message: "Every row has `gold_choice`: did you mean `gold`? Rename the key in the file (a key this close to one Pairwise reads is refused rather than ignored, so its values are not dropped)." }],
      ignoredKeys: [],
    });
  });

  it("records each refusal, its bad lines or a missing body, as campaign.import_refused by the caller", async () => {
    const researcher = await makeUser("researcher");
    const authorization = `Bearer ${(await createApiToken({ userId: researcher.id, name: "import" }))!.token}`;
    const { campaign } = await makeCampaign({ pairCount: 0 });
    const post = (body: string | undefined) =>
      importRoute(new Request(`http://test/api/v1/campaigns/${campaign.id}/import`, { method: "POST", body, headers: { authorization, "content-type": "application/x-ndjson" } }), {
        params: Promise.resolve({ id: campaign.id }),
      });

    const refused = await post(`${JSON.stringify({ prompt: "Define: harp", response_a: "A string instrument.", response_b: "A fish." })}\n{not json\n`);
    expect(refused.status).toBe(422);
    const empty = await post(undefined);
    expect(empty.status).toBe(400);
    const events = await db
      .select({ actorId: auditEvents.actorId, targetType: auditEvents.targetType, details: auditEvents.details })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "campaign.import_refused"), eq(auditEvents.targetId, campaign.id)))
      .orderBy(auditEvents.at, auditEvents.id);
    expect(events).toEqual([
      {
        actorId: researcher.id,
        targetType: "campaign",
        details: { reason: "bad_lines", rows: 2, errorCount: 1, errors: [{ line: 2, message: "Not valid JSON (Expected property name or '}' in JSON at position 1)." }] },
      },
      { actorId: researcher.id, targetType: "campaign", details: { reason: "empty" } },
    ]);
  });
});
