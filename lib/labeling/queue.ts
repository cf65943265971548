/**
 * The labeling queue. A pair is open to a labeler when they have not judged or skipped it
 * and its stored judgments plus live leases are below the campaign's overlap (gold pairs
 * have no overlap limit). Leasing locks candidate pair rows with FOR UPDATE SKIP LOCKED,
 * then re-counts in a new statement: under READ COMMITTED that statement sees every lease
 * committed before the lock was taken, so no pair is ever over-leased. "No pair for you" is
 * answered only after a scan that waits for locked rows instead of skipping them finds none;
 * that wait happens only while the transaction holds no pair lock, so leases cannot deadlock.
 * One labeler's lease requests in a campaign run one at a time (an advisory lock taken before
 * any row lock), so each reads the leases the one before it made.
 *
 * Order: by judgment count (most first under finish-first, fewest first under spread), then
 * higher `priority` first, then oldest first (finish-first) or at random (spread).
 */
import "server-only";
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { db } from "@/db/client";
import { assignments, comparisons, pairs, prompts, responses, skips, type Assignment, type Campaign, type Comparison, type User } from "@/db/schema";
import type { Choice, ShownOrder } from "@/db/values";
import { mayLabel, settingsOf } from "@/lib/campaigns/campaigns";
import { AppError } from "@/lib/errors";
import {
  editJudgmentSchema,
  skipSchema,
  submitJudgmentSchema,
  type JudgmentDto,
  type ShownChoice,
  type SubmitJudgmentInput,
  type Task,
} from "./schema";

type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

/** How many candidates to lock per attempt: enough to pass over a few full ones. */
const CANDIDATES_PER_TRY = 4;

export function toCanonical(choice: ShownChoice, shownOrder: ShownOrder): Choice {
  if (choice === "left") return shownOrder === "ab" ? "a" : "b";
  if (choice === "right") return shownOrder === "ab" ? "b" : "a";
  return choice;
}

function toShown(choice: Choice, shownOrder: ShownOrder): ShownChoice {
  if (choice === "a") return shownOrder === "ab" ? "left" : "right";
  if (choice === "b") return shownOrder === "ab" ? "right" : "left";
  return choice;
}

async function liveLeases(tx: Tx, pairId: string, exceptLabelerId?: string): Promise<number> {
  const [row] = await tx.execute<{ n: number }>(sql`
    select count(*)::int as n from assignments
    where pair_id = ${pairId} and status = 'active' and expires_at > now()
      ${exceptLabelerId ? sql`and labeler_id <> ${exceptLabelerId}` : sql``}`);
  return row!.n;
}

/**
 * Locks open pairs for this labeler, best first, other than `tried`; returns their ids. `wait`:
 * one pair, waiting for a lock another transaction holds instead of skipping the row.
 */
async function lockCandidates(tx: Tx, campaign: Campaign, labelerId: string, gold: boolean, tried: string[], wait = false): Promise<string[]> {
  const { ordering } = settingsOf(campaign);
  // Within one judgment count the most informative pair first (priority: generate-pairs' uncertainty).
  const order = ordering === "finish-first" ? sql`p.judgment_count desc, p.priority desc, p.created_at, p.id` : sql`p.judgment_count asc, p.priority desc, random()`;
  const rows = await tx.execute<{ id: string }>(sql`
    select p.id from pairs p
    where p.campaign_id = ${campaign.id}
      and ${gold ? sql`p.gold_choice is not null` : sql`p.gold_choice is null and p.swap_of is null and p.judgment_count < ${campaign.overlap}`}
      and not exists (
        select 1 from assignments a
        where a.pair_id = p.id and a.labeler_id = ${labelerId} and (a.status <> 'active' or a.expires_at > now()))
      ${gold ? sql`` : sql`and p.judgment_count + (select count(*) from assignments a where a.pair_id = p.id and a.status = 'active' and a.expires_at > now()) < ${campaign.overlap}`}
      ${tried.length ? sql`and p.id <> all(string_to_array(${tried.join(",")}, ',')::uuid[])` : sql``}
    order by ${order}
    limit ${wait ? 1 : CANDIDATES_PER_TRY}
    for update of p ${wait ? sql`` : sql`skip locked`}`);
  return rows.map((r) => r.id);
}

/**
 * Leases the best open pair, or answers null. `mayWait`: whether the transaction holds no pair
 * lock yet, so that it may wait for a pair another transaction has locked (see the rounds below).
 */
async function leaseOne(tx: Tx, campaign: Campaign, labelerId: string, mayWait: boolean): Promise<string | null> {
  const { goldRate, leaseMinutes } = settingsOf(campaign);
  const tryGoldFirst = Math.random() < goldRate;
  for (const gold of tryGoldFirst ? [true, false] : [false]) {
    // Under contention (finish-first sends every labeler to the same pairs) candidates are often
    // full by the re-count, or all locked by labelers leasing or submitting right now. Neither
    // means "done": look further, and before answering "done" wait for a locked pair.
    // Each round runs under a savepoint and rolls back when none of its candidates has room, which
    // unlocks them: a transaction waits for a lock only while it holds none on pairs, so two
    // leases can never wait for each other (a deadlock PostgreSQL would break by failing one).
    const tried: string[] = [];
    for (;;) {
      await tx.execute(sql`savepoint lease_round`);
      let candidates = await lockCandidates(tx, campaign, labelerId, gold, tried);
      // Gold pairs never fill up, so a locked one is no reason to wait: the regular pass follows.
      if (candidates.length === 0 && mayWait && !gold) candidates = await lockCandidates(tx, campaign, labelerId, gold, tried, true);
      const pairId = await firstWithRoom(tx, campaign, candidates, gold);
      if (pairId) {
        await tx.execute(sql`release savepoint lease_round`);
        return insertLease(tx, campaign, labelerId, pairId, leaseMinutes);
      }
      // Rolling back keeps the savepoint; releasing it too keeps rounds from nesting subtransactions.
      await tx.execute(sql`rollback to savepoint lease_round`);
      await tx.execute(sql`release savepoint lease_round`);
      if (candidates.length === 0) break;
      tried.push(...candidates);
    }
  }
  return null;
}

/** The first candidate that still has room once its row lock is held; gold pairs always have room. */
async function firstWithRoom(tx: Tx, campaign: Campaign, candidates: string[], gold: boolean): Promise<string | null> {
  for (const pairId of candidates) {
    if (gold) return pairId;
    // Re-count in a new statement, now that the row lock is held (see the module comment).
    const [pair] = await tx.select({ n: pairs.judgmentCount }).from(pairs).where(eq(pairs.id, pairId));
    if (pair!.n + (await liveLeases(tx, pairId)) < campaign.overlap) return pairId;
  }
  return null;
}

async function insertLease(tx: Tx, campaign: Campaign, labelerId: string, pairId: string, leaseMinutes: number): Promise<string> {
  const shownOrder: ShownOrder = Math.random() < 0.5 ? "ab" : "ba";
  const expiresAt = sql`now() + make_interval(mins => ${leaseMinutes})`;
  const [assignment] = await tx
    .insert(assignments)
    // clock_timestamp, not now(): leases taken in one transaction keep their order.
    .values({ campaignId: campaign.id, pairId, labelerId, shownOrder, leasedAt: sql`clock_timestamp()`, expiresAt })
    .onConflictDoUpdate({
      // Only an expired lease of this labeler can conflict here: renew it.
      target: [assignments.pairId, assignments.labelerId],
      set: { status: "active", leasedAt: sql`clock_timestamp()`, expiresAt },
    })
    .returning({ id: assignments.id });
  return assignment!.id;
}

async function taskFor(tx: Tx, assignmentId: string): Promise<Task> {
  const [row] = await tx
    .select({
      assignment: assignments,
      prompt: prompts.content,
      a: sql<string>`ra.text`,
      b: sql<string>`rb.text`,
    })
    .from(assignments)
    .innerJoin(pairs, eq(pairs.id, assignments.pairId))
    .innerJoin(prompts, eq(prompts.id, pairs.promptId))
    .innerJoin(sql`${responses} ra`, sql`ra.id = ${pairs.responseAId}`)
    .innerJoin(sql`${responses} rb`, sql`rb.id = ${pairs.responseBId}`)
    .where(eq(assignments.id, assignmentId));
  const { assignment, prompt, a, b } = row!;
  const [left, right] = assignment.shownOrder === "ab" ? [a, b] : [b, a];
  return {
    assignmentId: assignment.id,
    campaignId: assignment.campaignId,
    prompt,
    left: { text: left },
    right: { text: right },
    expiresAt: assignment.expiresAt.toISOString(),
  };
}

/**
 * The order of a labeler's live tasks, the page's queue: a pair whose judgment was undone first,
 * the latest undone first, as the page puts it back on screen; then the others in the order they
 * were leased. Without the first two keys an undone pair, whose lease the undo renews, came back
 * behind the prefetched pairs at the next refill. An active task with an undone judgment has not
 * been judged or skipped since (either ends it), and the undo set its leasedAt.
 */
const liveTaskOrder = [
  sql`${assignments.undoneJudgmentId} is null`,
  sql`case when ${assignments.undoneJudgmentId} is not null then ${assignments.leasedAt} end desc nulls last`,
  asc(assignments.leasedAt),
  asc(assignments.id),
];

/**
 * The labeler's live tasks in a campaign, leasing new pairs until there are `count`
 * (2 lets the page show the next pair without a round trip). Asking again returns the
 * same leases, so a reload never burns pairs.
 */
export async function leaseTasks({ campaign, labeler, count }: { campaign: Campaign; labeler: User; count: number }): Promise<Task[]> {
  return db.transaction(async (tx) => {
    // Checked here as well as by the callers: a campaign with a member list leases its
    // pairs to no one else, and a member who was removed gets no more (old leases expire).
    if (!(await mayLabel({ tx, campaignId: campaign.id, userId: labeler.id }))) return [];
    // One lease request per labeler and campaign at a time. The page refetches after each
    // submission, so a labeler's requests overlap; one that read the live leases below before
    // another committed its new ones would then find those pairs taken by this labeler and
    // answer "none left" while they hold them, or lease `count` more. Waiting here, it reads them.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`lease:${labeler.id}:${campaign.id}`}, 0))`);
    const live = await tx
      .select({ id: assignments.id })
      .from(assignments)
      .where(
        and(
          eq(assignments.labelerId, labeler.id),
          eq(assignments.campaignId, campaign.id),
          eq(assignments.status, "active"),
          gt(assignments.expiresAt, sql`now()`),
        ),
      )
      .orderBy(...liveTaskOrder);
    const ids = live.map((l) => l.id);
    // Only the first new lease may wait for a locked pair: after it this transaction holds that
    // pair's lock. A prefetched second pair is a convenience, not worth a wait.
    for (let leased = 0; ids.length < count; leased++) {
      const id = await leaseOne(tx, campaign, labeler.id, leased === 0);
      if (!id) break;
      ids.push(id);
    }
    return Promise.all(ids.map((id) => taskFor(tx, id)));
  });
}

function toJudgmentDto(c: Comparison, undoMinutes: number): JudgmentDto {
  return {
    id: c.id,
    clientSubmissionId: c.clientSubmissionId,
    assignmentId: c.assignmentId,
    pairId: c.pairId,
    choice: c.choice,
    shownChoice: toShown(c.choice, c.shownOrder),
    strength: c.strength,
    rationale: c.rationale,
    serverMs: c.serverMs,
    activeMs: c.activeMs,
    createdAt: c.createdAt.toISOString(),
    undoableUntil: new Date(c.createdAt.getTime() + undoMinutes * 60_000).toISOString(),
  };
}

function checkAgainstSettings(campaign: Campaign, input: { choice: ShownChoice; strength: number | null; rationale: string | null }) {
  const s = settingsOf(campaign);
  if (input.choice === "tie" && !s.allowTie) throw new AppError("bad_request:choice", "This campaign does not allow ties.");
  if (input.choice === "both_bad" && !s.allowBothBad) throw new AppError("bad_request:choice", "This campaign does not allow 'both bad'.");
  const decisive = input.choice === "left" || input.choice === "right";
  if (s.askStrength && decisive && input.strength === null) throw new AppError("bad_request:strength", "Say how much better (strength 1-4).");
  if (!decisive && input.strength !== null) throw new AppError("bad_request:strength", "Strength applies only to a left or right choice.");
  if (s.rationale === "required" && !input.rationale) throw new AppError("bad_request:rationale", "This campaign asks for a rationale.");
  if (s.rationale === "off" && input.rationale) throw new AppError("bad_request:rationale", "This campaign does not collect rationales.");
}

async function lockOwnAssignment(tx: Tx, assignmentId: string, labelerId: string): Promise<Assignment> {
  const [assignment] = await tx.select().from(assignments).where(eq(assignments.id, assignmentId)).for("update");
  if (!assignment || assignment.labelerId !== labelerId) throw new AppError("not_found:assignment", "No such task for you.");
  return assignment;
}

/**
 * When the task came before the labeler, as the server can tell: the page leases the next pair
 * while the current one is on screen, and serves its pairs in the order they were leased, so a
 * pair leased ahead is shown when the labeler's previous judgment or skip in the campaign is
 * stored. Counted from the lease alone, every prefetched pair's time held the previous pair's too,
 * and "median seconds per pair" read twice the labeler's real pace. An undone pair is leased again
 * at the undo, after the answers it follows, so its lease stands.
 */
async function shownSince(tx: Tx, assignment: Assignment): Promise<Date> {
  const [row] = await tx.execute<{ shown_at: string }>(sql`
    select greatest(
      ${assignment.leasedAt.toISOString()}::timestamptz,
      (select max(c.created_at) from comparisons c where c.labeler_id = ${assignment.labelerId} and c.campaign_id = ${assignment.campaignId}),
      -- Newest first down skips_labeler_at, stopping at the first in this campaign: a max() over the
      -- join read every skip of the labeler in the campaign on every judgment (6-7 ms at 6,000).
      (select s.at from skips s join assignments a on a.id = s.assignment_id
       where s.labeler_id = ${assignment.labelerId} and a.campaign_id = ${assignment.campaignId} and a.status = 'skipped'
       order by s.at desc limit 1)
    ) as shown_at`);
  return new Date(row!.shown_at);
}

/**
 * Stores a judgment exactly once. Resending the same clientSubmissionId returns the
 * stored judgment; a lease that expired is still accepted while the pair has room.
 */
export async function submitJudgment({ labeler, campaign, input }: { labeler: User; campaign: Campaign; input: SubmitJudgmentInput }): Promise<JudgmentDto> {
  const data = submitJudgmentSchema.parse(input);
  const { undoMinutes } = settingsOf(campaign);
  return db.transaction(async (tx) => {
    const assignment = await lockOwnAssignment(tx, data.assignmentId, labeler.id);
    const [existing] = await tx.select().from(comparisons).where(eq(comparisons.clientSubmissionId, data.clientSubmissionId));
    if (existing) {
      if (existing.labelerId !== labeler.id || existing.assignmentId !== assignment.id) {
        throw new AppError("conflict:submission_id", "This submission id was used for another task.");
      }
      return toJudgmentDto(existing, undoMinutes);
    }
    if (assignment.campaignId !== campaign.id) throw new AppError("not_found:assignment", "No such task in this campaign.");
    if (assignment.status === "completed") throw new AppError("conflict:already_judged", "You already judged this pair; edit that judgment instead.");
    if (assignment.status === "skipped") throw new AppError("conflict:skipped", "You skipped this pair.");
    checkAgainstSettings(campaign, data);

    const [pair] = await tx.select().from(pairs).where(eq(pairs.id, assignment.pairId)).for("update");
    if (assignment.expiresAt.getTime() <= Date.now() && pair!.goldChoice === null) {
      if (pair!.judgmentCount + (await liveLeases(tx, pair!.id, labeler.id)) >= campaign.overlap) {
        throw new AppError("conflict:lease_expired", "Your lease on this pair expired and others have completed it. Take the next pair.");
      }
    }
    const choice = toCanonical(data.choice, assignment.shownOrder);
    const shownAt = await shownSince(tx, assignment);
    const [comparison] = await tx
      .insert(comparisons)
      .values({
        clientSubmissionId: data.clientSubmissionId,
        assignmentId: assignment.id,
        campaignId: campaign.id,
        pairId: assignment.pairId,
        labelerId: labeler.id,
        choice,
        strength: data.strength,
        rationale: data.rationale,
        shownOrder: assignment.shownOrder,
        serverMs: Math.max(0, Date.now() - shownAt.getTime()),
        activeMs: data.activeMs,
        goldCorrect: pair!.goldChoice === null ? null : pair!.goldChoice === choice,
      })
      .returning();
    await tx.update(assignments).set({ status: "completed" }).where(eq(assignments.id, assignment.id));
    await tx.update(pairs).set({ judgmentCount: sql`${pairs.judgmentCount} + 1` }).where(eq(pairs.id, assignment.pairId));
    return toJudgmentDto(comparison!, undoMinutes);
  });
}

async function lockOwnJudgment(tx: Tx, judgmentId: string, labelerId: string, undoMinutes: number): Promise<Comparison> {
  const [c] = await tx.select().from(comparisons).where(eq(comparisons.id, judgmentId)).for("update");
  return checkOwnJudgment(c, labelerId, undoMinutes);
}

function checkOwnJudgment(c: Comparison | undefined, labelerId: string, undoMinutes: number): Comparison {
  if (!c || c.labelerId !== labelerId) throw new AppError("not_found:judgment", "No such judgment of yours.");
  if (Date.now() - c.createdAt.getTime() > undoMinutes * 60_000) {
    throw new AppError("conflict:undo_window", `Judgments can be changed for ${undoMinutes} minutes after submitting.`);
  }
  return c;
}

/**
 * Removes a judgment within the undo window and gives the pair back to the labeler as a live task.
 * Undoing it again (the first answer was lost and the page sent the request again) changes nothing
 * and answers the same task, while the labeler has not judged or skipped that pair since.
 */
export async function undoJudgment({ labeler, campaign, judgmentId }: { labeler: User; campaign: Campaign; judgmentId: string }): Promise<Task> {
  const { undoMinutes, leaseMinutes } = settingsOf(campaign);
  return db.transaction(async (tx) => {
    // Locked first: a second undo sent while the first is running waits for it, then finds the row gone.
    const [row] = await tx.select().from(comparisons).where(eq(comparisons.id, judgmentId)).for("update");
    if (!row) {
      const [undone] = await tx
        .select({ id: assignments.id })
        .from(assignments)
        .where(
          and(
            eq(assignments.undoneJudgmentId, judgmentId),
            eq(assignments.labelerId, labeler.id),
            eq(assignments.campaignId, campaign.id),
            eq(assignments.status, "active"),
          ),
        );
      if (undone) return taskFor(tx, undone.id);
    }
    const c = checkOwnJudgment(row, labeler.id, undoMinutes);
    await tx.delete(comparisons).where(eq(comparisons.id, c.id));
    await tx.update(pairs).set({ judgmentCount: sql`${pairs.judgmentCount} - 1` }).where(eq(pairs.id, c.pairId));
    await tx
      .update(assignments)
      .set({ status: "active", leasedAt: sql`now()`, expiresAt: sql`now() + make_interval(mins => ${leaseMinutes})`, undoneJudgmentId: c.id })
      .where(eq(assignments.id, c.assignmentId));
    return taskFor(tx, c.assignmentId);
  });
}

export async function editJudgment({ labeler, campaign, judgmentId, input }: { labeler: User; campaign: Campaign; judgmentId: string; input: unknown }): Promise<JudgmentDto> {
  const data = editJudgmentSchema.parse(input);
  const { undoMinutes } = settingsOf(campaign);
  checkAgainstSettings(campaign, data);
  return db.transaction(async (tx) => {
    const c = await lockOwnJudgment(tx, judgmentId, labeler.id, undoMinutes);
    const [pair] = await tx.select({ gold: pairs.goldChoice }).from(pairs).where(eq(pairs.id, c.pairId));
    const choice = toCanonical(data.choice, c.shownOrder);
    const [updated] = await tx
      .update(comparisons)
      .set({ choice, strength: data.strength, rationale: data.rationale, goldCorrect: pair!.gold === null ? null : pair!.gold === choice, updatedAt: new Date() })
      .where(eq(comparisons.id, c.id))
      .returning();
    return toJudgmentDto(updated!, undoMinutes);
  });
}

/** Releases the lease and records why; the pair goes back to the pool for others. */
export async function skipTask({ labeler, assignmentId, input }: { labeler: User; assignmentId: string; input: unknown }): Promise<void> {
  const data = skipSchema.parse(input);
  await db.transaction(async (tx) => {
    const assignment = await lockOwnAssignment(tx, assignmentId, labeler.id);
    if (assignment.status === "skipped") return;
    if (assignment.status !== "active") throw new AppError("conflict:already_judged", "You already judged this pair.");
    await tx.update(assignments).set({ status: "skipped" }).where(eq(assignments.id, assignment.id));
    await tx.insert(skips).values({ assignmentId: assignment.id, pairId: assignment.pairId, labelerId: labeler.id, reason: data.reason, text: data.text });
  });
}

export async function campaignOfAssignment({ assignmentId }: { assignmentId: string }): Promise<string | null> {
  const [row] = await db.select({ campaignId: assignments.campaignId }).from(assignments).where(eq(assignments.id, assignmentId));
  return row?.campaignId ?? null;
}

/** The campaign of a judgment, or of one already undone (so that an undo sent twice reaches undoJudgment). */
export async function campaignOfJudgment({ judgmentId }: { judgmentId: string }): Promise<string | null> {
  const [row] = await db.select({ campaignId: comparisons.campaignId }).from(comparisons).where(eq(comparisons.id, judgmentId));
  if (row) return row.campaignId;
  const [undone] = await db.select({ campaignId: assignments.campaignId }).from(assignments).where(eq(assignments.undoneJudgmentId, judgmentId));
  return undone?.campaignId ?? null;
}
