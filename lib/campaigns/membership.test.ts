/**
 * Campaign membership end to end through the route handlers a labeler's browser calls:
 * a campaign with a member list gives nothing to anyone else, at every door.
 */
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { getServerSession } from "next-auth";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { GET as campaignRoute } from "@/app/api/v1/campaigns/[id]/route";
import { POST as tasksRoute } from "@/app/api/v1/campaigns/[id]/tasks/route";
import { POST as judgmentsRoute } from "@/app/api/v1/judgments/route";
import { db } from "@/db/client";
import { auditEvents, type User } from "@/db/schema";
import { leaseTasks } from "@/lib/labeling/queue";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { makeUser } from "@/lib/testing/fixtures";
import { listLabelableCampaigns, updateCampaign } from "./campaigns";

vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<typeof import("next-auth")>()), getServerSession: vi.fn() }));

/** The next requests come from `user`'s session cookie. */
function signInAs(user: User) {
  vi.mocked(getServerSession).mockResolvedValue({ user: { id: user.id, email: user.email, role: user.role }, expires: "2999-01-01T00:00:00Z" });
}

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const post = (path: string, body: unknown) =>
  new Request(`http://test${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

describe("campaign membership", () => {
  let researcher: User, member: User, outsider: User;
  beforeEach(async () => {
    [researcher, member, outsider] = await Promise.all([makeUser("researcher"), makeUser("labeler"), makeUser("labeler")]);
  });

  it("a non-member gets no tasks, a 404 on the campaign and its tasks, and cannot submit to it", async () => {
    const { campaign } = await makeCampaign({ pairCount: 4, overlap: 2, settings: { leaseMinutes: 30 } });
    const updated = await updateCampaign({ campaignId: campaign.id, input: { labelerIds: [member.id] }, actorId: researcher.id });
    // A patch of the member list changes nothing else (it used to reset status, overlap and settings to their defaults).
    expect(updated).toMatchObject({ status: "active", overlap: 2, settings: campaign.settings });

    // The queue itself refuses, whoever calls it.
    expect(await leaseTasks({ campaign, labeler: outsider, count: 2 })).toEqual([]);
    expect((await listLabelableCampaigns({ userId: outsider.id })).map((c) => c.id)).not.toContain(campaign.id);

    signInAs(outsider);
    const refusedTasks = await tasksRoute(post(`/api/v1/campaigns/${campaign.id}/tasks`, { count: 1 }), ctx(campaign.id));
    expect(refusedTasks.status).toBe(404);
    expect((await refusedTasks.json()).error.code).toBe("not_found:campaign");
    const refusedCampaign = await campaignRoute(new Request(`http://test/api/v1/campaigns/${campaign.id}`), ctx(campaign.id));
    expect(refusedCampaign.status).toBe(404);

    // The member gets a task and sees the campaign, without its member list.
    signInAs(member);
    const granted = await tasksRoute(post(`/api/v1/campaigns/${campaign.id}/tasks`, { count: 1 }), ctx(campaign.id));
    expect(granted.status).toBe(200);
    const { tasks } = (await granted.json()) as { tasks: { assignmentId: string; campaignId: string }[] };
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.campaignId).toBe(campaign.id);
    const seen = await campaignRoute(new Request(`http://test/api/v1/campaigns/${campaign.id}`), ctx(campaign.id));
    expect(seen.status).toBe(200);
    expect((await seen.json()).campaign).not.toHaveProperty("labelerIds");

    // An outsider who learns the member's assignment id still cannot judge it.
    signInAs(outsider);
    const stolen = await judgmentsRoute(post("/api/v1/judgments", { clientSubmissionId: randomUUID(), assignmentId: tasks[0]!.assignmentId, choice: "left" }), {});
    expect(stolen.status).toBe(404);
  });

  it("a member who is taken off the list loses the campaign at their next request, and the change is audited", async () => {
    const { campaign } = await makeCampaign({ pairCount: 4 });
    await updateCampaign({ campaignId: campaign.id, input: { labelerIds: [member.id, outsider.id] }, actorId: researcher.id });
    expect(await leaseTasks({ campaign, labeler: outsider, count: 1 })).toHaveLength(1);

    await updateCampaign({ campaignId: campaign.id, input: { labelerIds: [member.id] }, actorId: researcher.id });
    expect(await leaseTasks({ campaign, labeler: outsider, count: 1 })).toEqual([]);
    signInAs(outsider);
    expect((await tasksRoute(post(`/api/v1/campaigns/${campaign.id}/tasks`, { count: 1 }), ctx(campaign.id))).status).toBe(404);

    // An empty list opens the campaign to every labeler again.
    await updateCampaign({ campaignId: campaign.id, input: { labelerIds: [] }, actorId: researcher.id });
    expect((await tasksRoute(post(`/api/v1/campaigns/${campaign.id}/tasks`, { count: 1 }), ctx(campaign.id))).status).toBe(200);

    const events = await db
      .select({ details: auditEvents.details, actorId: auditEvents.actorId })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "campaign.members_changed"), eq(auditEvents.targetId, campaign.id)))
      .orderBy(auditEvents.id);
    expect(events.map((e) => e.details)).toEqual([
      { added: [member.email, outsider.email].sort(), removed: [], openToAllLabelers: false },
      { added: [], removed: [outsider.email], openToAllLabelers: false },
      { added: [], removed: [member.email], openToAllLabelers: true },
    ]);
    expect(events.every((e) => e.actorId === researcher.id)).toBe(true);
  });
});
