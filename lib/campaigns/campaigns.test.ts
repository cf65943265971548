import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { leaseTasks, skipTask, submitJudgment } from "@/lib/labeling/queue";
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
    expect(listed).toMatchObject({ pairCount: 3, completedPairs: 0, judgedByMe: 0, openForMe: 3 });

    await expect(getLabelableCampaign({ campaignId: restricted.id, user: outsider })).rejects.toMatchObject({ status: 404 });
    await expect(getLabelableCampaign({ campaignId: draft.id, user: member })).rejects.toMatchObject({ code: "conflict:campaign_not_active" });
  });

  it("counts the pairs still open to each labeler: those they hold, not those they judged or skipped, nor those judged enough", async () => {
    const { campaign } = await makeCampaign({ pairCount: 3, overlap: 2, settings: { askStrength: false, ordering: "finish-first" } });
    const [a, b, c] = await Promise.all([makeUser("labeler"), makeUser("labeler"), makeUser("labeler")]);
    const openFor = async (u: { id: string }) => (await listLabelableCampaigns({ userId: u.id })).find((x) => x.id === campaign.id)!.openForMe;
    const [t1, t2, t3] = await leaseTasks({ campaign, labeler: a, count: 3 });
    await submitJudgment({ labeler: a, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: t1!.assignmentId, choice: "left" } });
    await skipTask({ labeler: a, assignmentId: t2!.assignmentId, input: { reason: "cant_judge" } });
    expect(t3).toBeDefined(); // still leased to a: the labeling page serves it to a again
    expect(await openFor(a)).toBe(1);
    const [again] = await leaseTasks({ campaign, labeler: a, count: 1 });
    expect(again!.assignmentId).toBe(t3!.assignmentId);
    expect(await openFor(b)).toBe(3); // a's lease may lapse, so the third pair still counts for b
    // finish-first gives b the pair a judged: two judgments meet the overlap, and it is open to no one.
    const [mine] = await leaseTasks({ campaign, labeler: b, count: 1 });
    expect(mine!.prompt).toEqual(t1!.prompt);
    await submitJudgment({ labeler: b, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: mine!.assignmentId, choice: "left" } });
    expect(await openFor(c)).toBe(2);
  });
});
