/**
 * The judgments Undo can take back, stored ones only, kept in the tab's sessionStorage per campaign
 * and labeler: a reload or signing in again loads the page anew, and Z must still reach the judgment
 * made just before (the server allows it for the campaign's undo window). Without them a reload
 * answered "Nothing to undo." about a judgment seconds old.
 */
import type { JudgmentDto, Task } from "@/lib/labeling/schema";

export type KeptJudgment = { submissionId: string; judgment: JudgmentDto; task: Task };

/** The page's undo stack holds as many. */
const LIMIT = 20;

const keyOf = (campaignId: string, labelerId: string) => `pairwise:undo:${campaignId}:${labelerId}`;

function tabStorage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * Latest first, those still inside their undo window only: a tab reopened later offered "Undo last"
 * and "Press Z to undo your last judgment" for judgments the server no longer lets go.
 */
export function readKeptUndo(campaignId: string, labelerId: string): KeptJudgment[] {
  try {
    const list = JSON.parse(tabStorage()?.getItem(keyOf(campaignId, labelerId)) ?? "[]") as unknown;
    const now = Date.now();
    return Array.isArray(list)
      ? list.filter(
          (k: Partial<KeptJudgment>) =>
            typeof k?.submissionId === "string" && typeof k.judgment?.id === "string" && typeof k.task?.assignmentId === "string" && Date.parse(k.judgment.undoableUntil) > now,
        )
      : [];
  } catch {
    return [];
  }
}

function write(campaignId: string, labelerId: string, list: KeptJudgment[]): void {
  try {
    tabStorage()?.setItem(keyOf(campaignId, labelerId), JSON.stringify(list.slice(0, LIMIT)));
  } catch {
    // Storage full or refused: Undo still reaches the judgments made since the page loaded.
  }
}

export function keepUndoable(campaignId: string, labelerId: string, kept: KeptJudgment): void {
  write(campaignId, labelerId, [kept, ...readKeptUndo(campaignId, labelerId).filter((k) => k.submissionId !== kept.submissionId)]);
}

export function dropUndoable(campaignId: string, labelerId: string, submissionId: string): void {
  write(campaignId, labelerId, readKeptUndo(campaignId, labelerId).filter((k) => k.submissionId !== submissionId));
}
