/** POST and PATCH /api/v1/campaigns as an API client sends them, with a researcher's token. */
import { describe, expect, it } from "vitest";
import { PATCH as patchCampaign } from "@/app/api/v1/campaigns/[id]/route";
import { POST as postCampaign } from "@/app/api/v1/campaigns/route";
import { createApiToken } from "@/lib/auth/tokens";
import { makeUser } from "@/lib/testing/fixtures";

type ErrorBody = { error: { code: string; details?: { path: string; message: string }[] } };

describe("campaigns route", () => {
  it("refuses a key it does not know, in the body or its settings, instead of dropping it", async () => {
    const authorization = `Bearer ${(await createApiToken({ userId: (await makeUser("researcher")).id, name: "campaigns" }))!.token}`;
    const headers = { authorization, "content-type": "application/json" };
    const post = (body: unknown) => postCampaign(new Request("http://test/api/v1/campaigns", { method: "POST", headers, body: JSON.stringify(body) }), { params: Promise.resolve({}) });

    // overlap belongs at the top level; inside settings it used to vanish, leaving overlap 3.
    const misplaced = await post({ name: "misplaced", settings: { overlap: 2 } });
    expect(misplaced.status).toBe(400);
    const body = (await misplaced.json()) as ErrorBody;
    expect(body.error.code).toBe("bad_request:validation");
    expect(body.error.details).toEqual([expect.objectContaining({ path: "settings", message: expect.stringMatching(/overlap/) })]);
    expect((await post({ name: "typo", overlapp: 2 })).status).toBe(400);

    const created = await post({ name: "right", overlap: 2, settings: { goldRate: 0 } });
    expect(created.status).toBe(201);
    const { campaign } = (await created.json()) as { campaign: { id: string; overlap: number; settings: { goldRate: number } } };
    expect(campaign.overlap).toBe(2);
    expect(campaign.settings.goldRate).toBe(0);

    const patch = (body: unknown) =>
      patchCampaign(new Request(`http://test/api/v1/campaigns/${campaign.id}`, { method: "PATCH", headers, body: JSON.stringify(body) }), { params: Promise.resolve({ id: campaign.id }) });
    expect((await patch({ settings: { leaseMinutes: 30, overlap: 5 } })).status).toBe(400);
    const patched = await patch({ settings: { leaseMinutes: 30 } });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { campaign: { settings: { leaseMinutes: number; goldRate: number } } }).campaign.settings).toMatchObject({ leaseMinutes: 30, goldRate: 0 });
  });
});
