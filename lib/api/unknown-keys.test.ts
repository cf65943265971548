/**
 * Request bodies refuse keys they do not know, with 400 naming them, instead of dropping them:
 * a misspelt snapshot id or filter would otherwise start a run or freeze a snapshot that is not
 * the one asked for, without a word. (Campaigns: lib/campaigns/campaigns-route.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { POST as postJudgment } from "@/app/api/v1/judgments/route";
import { POST as postRun } from "@/app/api/v1/runs/route";
import { POST as postSnapshot } from "@/app/api/v1/snapshots/route";
import { createApiToken } from "@/lib/auth/tokens";
import { makeCampaign } from "@/lib/testing/campaign-fixtures";
import { makeUser } from "@/lib/testing/fixtures";

type Route = (request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type ErrorBody = { error: { code: string; details?: { path: string; message: string }[] } };

async function post(route: Route, path: string, token: string, body: unknown) {
  const request = new Request(`http://test${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  const res = await route(request, { params: Promise.resolve({}) });
  return { status: res.status, body: (await res.json()) as ErrorBody };
}

describe("request bodies with unknown keys", () => {
  it("are refused with 400 naming the key, for runs, snapshots and judgments", async () => {
    const researcher = await makeUser("researcher");
    const token = (await createApiToken({ userId: researcher.id, name: "keys" }))!.token;
    const { campaign } = await makeCampaign({ pairCount: 1 });

    // snake_case where the API is camelCase: the run would have started without its snapshot.
    const run = await post(postRun, "/api/v1/runs", token, { kind: "reward", snapshot_id: "5eed0000-0000-4000-8000-000000000000", config: {} });
    expect(run.status).toBe(400);
    expect(run.body.error.code).toBe("bad_request:validation");
    expect(run.body.error.details).toEqual([expect.objectContaining({ path: "", message: expect.stringMatching(/snapshot_id/) })]);

    // A misspelt filter would have frozen every labeler's judgments.
    const snapshot = await post(postSnapshot, "/api/v1/snapshots", token, { name: "typo", filters: { campaignIds: [campaign.id], labelerId: [researcher.id] } });
    expect(snapshot.status).toBe(400);
    expect(snapshot.body.error.details).toEqual([expect.objectContaining({ path: "filters", message: expect.stringMatching(/labelerId/) })]);
    const right = await post(postSnapshot, "/api/v1/snapshots", token, { name: "right", filters: { campaignIds: [campaign.id] } });
    expect(right.body.error.code).toBe("bad_request:empty_snapshot"); // past validation: the campaign has no judgments yet

    const judgment = await post(postJudgment, "/api/v1/judgments", token, {
      clientSubmissionId: "5eed0000-0000-4000-8000-000000000001",
      assignmentId: "5eed0000-0000-4000-8000-000000000002",
      choice: "left",
      confidence: 3,
    });
    expect(judgment.status).toBe(400);
    expect(judgment.body.error.details).toEqual([expect.objectContaining({ message: expect.stringMatching(/confidence/) })]);
  });
});
