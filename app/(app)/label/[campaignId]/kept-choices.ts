/**
 * What the labeler picked on pairs whose judgment is not stored yet, kept in the tab's
 * sessionStorage: signing in again leaves the page and loads it anew, and the pair that comes
 * back then shows what was picked on it. One entry per campaign and task (a task is one
 * labeler's lease of one pair, so another person signing in on this tab never sees it).
 */
import { shownChoiceSchema, type ShownChoice } from "@/lib/labeling/schema";

export type Selection = { assignmentId: string | null; choice: ShownChoice | null; strength: number | null; rationale: string };

const prefix = (campaignId: string) => `pairwise:choice:${campaignId}:`;

/** The tab's sessionStorage; null on the server, or where the browser refuses it (then nothing is kept). */
function tabStorage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.sessionStorage;
  } catch {
    return null;
  }
}

function keysOf(store: Storage, campaignId: string): string[] {
  return Array.from({ length: store.length }, (_, i) => store.key(i)).filter((key): key is string => key?.startsWith(prefix(campaignId)) ?? false);
}

function parse(text: string | null): Selection | null {
  try {
    const value = JSON.parse(text ?? "null") as Partial<Selection> | null;
    if (typeof value?.assignmentId !== "string") return null;
    return {
      assignmentId: value.assignmentId,
      choice: shownChoiceSchema.safeParse(value.choice).data ?? null,
      strength: typeof value.strength === "number" ? value.strength : null,
      rationale: typeof value.rationale === "string" ? value.rationale : "",
    };
  } catch {
    return null;
  }
}

/** The campaign's kept choices, by task. */
export function readKept(campaignId: string): Record<string, Selection> {
  const store = tabStorage();
  if (!store) return {};
  const kept: Record<string, Selection> = {};
  for (const key of keysOf(store, campaignId)) {
    const selection = parse(store.getItem(key));
    if (selection) kept[selection.assignmentId!] = selection;
  }
  return kept;
}

export function keep(campaignId: string, selection: Selection): void {
  if (!selection.assignmentId) return;
  try {
    tabStorage()?.setItem(prefix(campaignId) + selection.assignmentId, JSON.stringify(selection));
  } catch {
    // Storage full or refused: the choice still lives on the page, as it did before it was kept.
  }
}

export function dropKept(campaignId: string, assignmentId: string): void {
  tabStorage()?.removeItem(prefix(campaignId) + assignmentId);
}

/** Forgets the choices of tasks the server no longer leases to the labeler: judged, skipped, or expired and gone. */
export function keepOnly(campaignId: string, assignmentIds: string[]): void {
  const store = tabStorage();
  if (!store) return;
  const live = new Set(assignmentIds.map((id) => prefix(campaignId) + id));
  for (const key of keysOf(store, campaignId)) if (!live.has(key)) store.removeItem(key);
}
