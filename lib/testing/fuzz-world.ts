/**
 * The data the fuzz tests aim at: one user per role (session cookies and API tokens), a
 * campaign with a leased task and a judgment, a snapshot, a run and a checkpoint. Real ids
 * let random requests get past "no such thing" and into the code behind it.
 */
import { randomUUID } from "node:crypto";
import { inArray, and, eq } from "drizzle-orm";
import { db } from "@/db/client";
import { runs, type User } from "@/db/schema";
import { roleValues, type Role } from "@/db/values";
import { createApiToken } from "@/lib/auth/tokens";
import { registerCheckpoint } from "@/lib/checkpoints/registry";
import { leaseTasks, submitJudgment } from "@/lib/labeling/queue";
import { enqueueRun } from "@/lib/runs/queue";
import { createSnapshot } from "@/lib/snapshots/snapshots";
import { makeCampaign } from "./campaign-fixtures";
import { makeUser } from "./fixtures";
import { sessionCookie } from "./request-scope";

export type Caller = "anonymous" | Role;
export const callers: Caller[] = ["anonymous", ...roleValues];

export type FuzzWorld = Awaited<ReturnType<typeof buildFuzzWorld>>;

export async function buildFuzzWorld() {
  const users: Record<Role, User> = {
    labeler: await makeUser("labeler"),
    researcher: await makeUser("researcher"),
    admin: await makeUser("admin"),
  };
  const cookies: Record<Role, string> = {
    labeler: await sessionCookie(users.labeler),
    researcher: await sessionCookie(users.researcher),
    admin: await sessionCookie(users.admin),
  };
  const created = {
    researcher: await createApiToken({ userId: users.researcher.id, name: "fuzz" }),
    admin: await createApiToken({ userId: users.admin.id, name: "fuzz" }),
  };
  const tokens = { researcher: created.researcher.token, admin: created.admin.token };
  // Spare tokens for the revoke action to aim at; the callers' own are kept.
  const spareTokenIds = await Promise.all([users.researcher, users.admin].map(async (u) => (await createApiToken({ userId: u.id, name: "spare" })).row.id));

  const { campaign, pairs } = await makeCampaign({ pairCount: 6, overlap: 3, settings: { undoMinutes: 60 } });
  const [judged] = await leaseTasks({ campaign, labeler: users.labeler, count: 1 });
  const judgment = await submitJudgment({
    labeler: users.labeler,
    campaign,
    input: { clientSubmissionId: randomUUID(), assignmentId: judged!.assignmentId, choice: "left", strength: 2 },
  });
  const [leased] = await leaseTasks({ campaign, labeler: users.labeler, count: 1 });
  const snapshot = await createSnapshot({ input: { name: "fuzz", filters: { campaignIds: [campaign.id], includeTies: true } }, actorId: users.researcher.id });
  const checkpoint = await registerCheckpoint({
    record: {
      id: `fuzz-${randomUUID()}`,
      kind: "sft",
      parentId: null,
      backend: "cpu",
      sizeBytes: 0,
      paramCount: 0,
      config: {},
      metrics: {},
      createdAt: new Date().toISOString(),
      location: "nowhere",
    },
  });
  const run = await enqueueRun({ kind: "eval", createdBy: users.researcher.id });
  // Targets for the users API, so the fuzz never disables or demotes its own callers.
  const victims = [await makeUser("labeler"), await makeUser("researcher")];

  const ids = [
    campaign.id,
    ...pairs.map((p) => p.id),
    judged!.assignmentId,
    leased!.assignmentId,
    judgment.id,
    snapshot.id,
    checkpoint.id,
    run.id,
    ...victims.map((u) => u.id),
    ...spareTokenIds,
  ];
  return { users, victims, cookies, tokens, spareTokenIds, campaign, judgment, assignmentId: leased!.assignmentId, snapshot, checkpoint, run, ids };
}

/** Runs the fuzz queued stay out of other tests' workers: cancel what the fuzz users started. */
export async function cancelFuzzRuns(world: FuzzWorld): Promise<void> {
  const creators = [...Object.values(world.users), ...world.victims].map((u) => u.id);
  await db
    .update(runs)
    .set({ status: "cancelled", finishedAt: new Date() })
    .where(and(inArray(runs.createdBy, creators), eq(runs.status, "queued")));
}
