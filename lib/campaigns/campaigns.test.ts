import { describe, expect, it } from "vitest";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { makeUser } from "@/lib/testing/fixtures";
import { createCampaign, getLabelableCampaign, listLabelableCampaigns } from "./campaigns";

describe("campaign access", () => {
  it("lists active campaigns to every labeler when there is no member list, and only to members when there is", async () => {
    const [researcher, member, outsider] = await Promise.all([makeUser("researcher"), makeUser("labeler"), makeUser("labeler")]);
    const { campaign: open } = await makeCampaign({ pairCount: 3 });
    const restricted = await createCampaign({ input: { name: "members only", status: "active", labelerIds: [member.id] }, actorId: researcher.id });
    const draft = await createCampaign({ input: { name: "draft" }, actorId: researcher.id });

    const forMember = (await listLabelableCampaigns({ userId: member.id })).map((c) => c.id);
    const forOutsider = (await listLabelableCampaigns({ userId: outsider.id })).map((c) => c.id);
    expect(forMember).toEqual(expect.arrayContaining([open.id, restricted.id]));
    expect(forOutsider).toContain(open.id);
    expect(forOutsider).not.toContain(restricted.id);
    expect(forMember).not.toContain(draft.id);
    const listed = (await listLabelableCampaigns({ userId: member.id })).find((c) => c.id === open.id)!;
    expect(listed).toMatchObject({ pairCount: 3, completedPairs: 0, judgedByMe: 0 });

    await expect(getLabelableCampaign({ campaignId: restricted.id, user: outsider })).rejects.toMatchObject({ status: 404 });
    await expect(getLabelableCampaign({ campaignId: draft.id, user: member })).rejects.toMatchObject({ code: "conflict:campaign_not_active" });
  });
});
