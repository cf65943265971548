"use client";
import { onlineManager, useMutation, useMutationState, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { count } from "@/app/_components/count";
import { Button } from "@/app/_components/ui/button";
import { Markdown } from "@/app/_components/markdown";
import { cn } from "@/app/_components/ui/cn";
import { tapTarget } from "@/app/_components/ui/tap-target";
import type { SkipReason } from "@/db/values";
import type { CampaignSettings } from "@/lib/campaigns/schema";
import type { JudgmentDto, ShownChoice, Task } from "@/lib/labeling/schema";
import { strengthLabels } from "@/lib/labeling/schema";
import type { LabelerStats } from "@/lib/labeling/quality";
import { describeTrouble, isTransient, stopsLabeling, type Trouble } from "@/lib/labeling/trouble";
import { ApiError, fetchJson } from "@/lib/query/fetch-json";
import { labelingKeys } from "@/lib/query/keys";
import { Guidelines } from "./guidelines";
import { JudgmentOutbox, type Judged } from "./judgment-outbox";
import { dropKept, keep, keepOnly, readKept, type Selection } from "./kept-choices";
import { dropUndoable, keepUndoable, readKeptUndo } from "./kept-undo";
import { SkipPanel } from "./skip-panel";
import { useActiveTime } from "./use-active-time";

type CampaignView = { id: string; name: string; guidelines: string; overlap: number; settings: CampaignSettings };
type Queue = { tasks: Task[]; done: boolean };

const strengthKeys = ["q", "w", "e", "r"] as const;

/** The keys that pick on this campaign: T and B only where it allows a tie and "both bad". */
function pickKeys(settings: CampaignSettings): string {
  const keys = ["1 / 2", settings.allowTie ? "T" : null, settings.allowBothBad ? "B" : null].filter((k) => k !== null);
  return keys.length === 1 ? keys[0]! : `${keys.slice(0, -1).join(", ")} or ${keys.at(-1)}`;
}

const blank = (assignmentId: string | null): Selection => ({ assignmentId, choice: null, strength: null, rationale: "" });
const RATIONALE_MISSING = "This campaign asks for a rationale.";

/**
 * A judgment or skip that got no answer, or a 5xx, is sent again by itself, with the same
 * client submission id, while the labeler goes on: 1 + 2 + 4 + 8 s. Offline, react-query holds
 * it until the browser is back online. Only after that is the labeler asked to act. An undo is
 * sent again the same way (undoing twice removes nothing more and answers the same task), and
 * offline it waits like a judgment, after the judgment it undoes (see judgment-outbox.ts).
 */
const SEND_RETRIES = 4;
const sendRetry = (failures: number, err: unknown) => isTransient(err) && failures < SEND_RETRIES;
const sendRetryDelay = (failures: number) => Math.min(1000 * 2 ** failures, 8000);

const isOnline = () => onlineManager.isOnline();
const alwaysOnline = () => true;

/**
 * Why the page cannot go on (signed out, account disabled, campaign closed), with the one way
 * forward focused for the keyboard. A disabled account gets none: signing in would only be refused.
 */
function StopPanel({ trouble, campaignId }: { trouble: Trouble; campaignId: string }) {
  const link = useRef<HTMLAnchorElement>(null);
  useEffect(() => link.current?.focus(), []);
  return (
    <div role="alert" className="rounded-lg border border-slate-200 bg-white p-8 text-center">
      <p className="text-slate-700">{trouble.message}</p>
      {trouble.kind === "signed_out" ? (
        <Link ref={link} href={`/signin?callbackUrl=${encodeURIComponent(`/label/${campaignId}`)}`} className={panelLink}>
          Sign in again
        </Link>
      ) : trouble.kind === "closed" ? (
        <Link ref={link} href="/label" className={panelLink}>
          Back to your campaigns
        </Link>
      ) : null}
    </div>
  );
}

/** A control's key, shown beside its name; not on a touch screen, where the control is tapped (the footer still lists the keys). */
function KeyHint({ children, className = "ml-1 text-xs" }: { children: string; className?: string }) {
  return <kbd className={cn(className, "pointer-coarse:hidden")}>{children}</kbd>;
}

/** The one way forward of a panel. */
const panelLink = cn("mt-4 inline-block underline", tapTarget);

function PromptView({ prompt }: { prompt: Task["prompt"] }) {
  if (typeof prompt === "string") return <Markdown>{prompt}</Markdown>;
  return (
    <ol className="flex flex-col gap-2" aria-label="Conversation">
      {prompt.map((m, i) => (
        <li key={i} className={cn("rounded-md p-3", m.role === "user" ? "bg-slate-100" : m.role === "assistant" ? "bg-white border border-slate-200" : "bg-amber-50")}>
          <div className="mb-1 text-xs font-medium uppercase text-slate-500">{m.role}</div>
          <Markdown>{m.content}</Markdown>
        </li>
      ))}
    </ol>
  );
}

export function LabelingWorkspace({ campaign, labelerId }: { campaign: CampaignView; labelerId: string }) {
  const queryClient = useQueryClient();
  const queueKey = labelingKeys.queue(campaign.id);
  const { settings } = campaign;

  // Tasks judged or skipped on this page whose request may not have landed yet: a refetch that
  // started before it did still lists them, and must not put a pair back on screen.
  const handled = useRef(new Set<string>());
  const queue = useQuery({
    queryKey: queueKey,
    queryFn: async () => {
      const q = await fetchJson<Queue>(`/api/v1/campaigns/${campaign.id}/tasks`, { method: "POST", json: { count: 2 } });
      // The server lists every pair it still leases to the labeler: a kept choice of any other is moot.
      keepOnly(campaign.id, q.tasks.map((t) => t.assignmentId));
      return { ...q, tasks: q.tasks.filter((t) => !handled.current.has(t.assignmentId)) };
    },
    staleTime: Infinity,
    retry: (failures, err) => isTransient(err) && failures < 2,
  });
  // "Today" is the labeler's day, from their midnight, not the server's.
  const stats = useQuery({
    queryKey: labelingKeys.stats(),
    queryFn: () => fetchJson<{ stats: LabelerStats }>(`/api/v1/me/stats?tz=${encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone)}`),
  });
  const progress = useQuery({
    queryKey: labelingKeys.campaign(campaign.id),
    queryFn: () => fetchJson<{ campaign: { pairCount: number; completedPairs: number } }>(`/api/v1/campaigns/${campaign.id}`),
  });

  const task = queue.data?.tasks[0] ?? null;
  // What the labeler picked, per task: a new task starts blank, and a task whose submission failed
  // comes back with what was picked on it, even if the labeler went on to the next one meanwhile,
  // or signed in again (kept in the tab until the judgment is stored; see kept-choices.ts).
  // No task is on screen at the first render, so reading the kept ones there changes no markup.
  const [selections, setSelections] = useState<Record<string, Selection>>(() => readKept(campaign.id));
  const current = (task && selections[task.assignmentId]) || blank(task?.assignmentId ?? null);
  const { choice, strength, rationale } = current;
  const pick = (patch: Partial<Selection>) => {
    if (!current.assignmentId) return;
    const next = { ...current, ...patch };
    keep(campaign.id, next);
    setSelections((all) => ({ ...all, [current.assignmentId!]: next }));
  };
  const forget = useCallback(
    (assignmentId: string) => {
      dropKept(campaign.id, assignmentId);
      setSelections((all) => {
        const { [assignmentId]: _gone, ...rest } = all;
        return rest;
      });
    },
    [campaign.id],
  );
  const setChoice = (c: ShownChoice) => pick({ choice: c });
  const setStrength = (n: number) => pick({ strength: n });
  const setRationale = (text: string) => pick({ rationale: text });
  // A node, not only a string: a key's name in it is hidden on a touch screen.
  const [error, setError] = useState<ReactNode>(null);
  // Set when a submission learns that the session ended or the campaign closed: the page stops there.
  const [stopped, setStopped] = useState<Trouble | null>(null);
  const [skipping, setSkipping] = useState(false);
  const [showGuidelines, setShowGuidelines] = useState(false);
  // Judgments made here, latest first, from the moment they are sent: Undo takes back the latest.
  // Those stored before a reload or a sign-in come back from the tab (kept-undo.ts); like the kept
  // choices, they change no markup at the first render, where no task is on screen.
  const [undoStack, setUndoStack] = useState<Judged[]>(() =>
    readKeptUndo(campaign.id, labelerId).map((k) => ({ submissionId: k.submissionId, task: k.task, stored: Promise.resolve(k.judgment) })),
  );
  const [outbox] = useState(() => new JudgmentOutbox());
  // The pair of each judgment on its way, kept with the judgment once stored (for Undo after a reload).
  const judgedTasks = useRef(new Map<string, Task>());
  const activeTime = useActiveTime(task?.assignmentId ?? null);

  // Submit-to-next-pair time, measured from the key press to the next pair on screen.
  const submittedAt = useRef<number | null>(null);
  const [transitionMs, setTransitionMs] = useState<number | null>(null);
  const shownAssignment = task?.assignmentId ?? null;
  useEffect(() => {
    const started = submittedAt.current;
    if (started === null || shownAssignment === null) return;
    submittedAt.current = null;
    // The frame after the commit: the new pair is on screen.
    requestAnimationFrame(() => setTransitionMs(Math.round(performance.now() - started)));
  }, [shownAssignment]);

  const afterChange = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: queueKey });
    void queryClient.invalidateQueries({ queryKey: labelingKeys.stats() });
    void queryClient.invalidateQueries({ queryKey: labelingKeys.campaign(campaign.id) });
  }, [queryClient, queueKey, campaign.id]);

  /** Shows the prefetched next task at once; the server round trip happens behind it. */
  const advance = useCallback(
    (assignmentId: string) => {
      handled.current.add(assignmentId);
      queryClient.setQueryData<Queue>(queueKey, (q) => (q ? { ...q, tasks: q.tasks.filter((t) => t.assignmentId !== assignmentId) } : q));
    },
    [queryClient, queueKey],
  );
  /** A request that failed: the task may be offered again. */
  const release = useCallback((assignmentId: string) => handled.current.delete(assignmentId), []);
  /** A pair whose judgment was undone comes back on screen first, as new. */
  const bringBack = useCallback(
    (back: Task) => {
      release(back.assignmentId);
      forget(back.assignmentId);
      queryClient.setQueryData<Queue>(queueKey, (q) => ({ done: false, tasks: [back, ...(q?.tasks ?? []).filter((t) => t.assignmentId !== back.assignmentId)] }));
    },
    [release, forget, queryClient, queueKey],
  );
  const dropFromUndo = useCallback((judged: Judged) => setUndoStack((s) => s.filter((j) => j !== judged)), []);
  /** Says why a judgment or skip failed for good; its task comes back with the refetch, where the lease allows. */
  const sendFailed = (err: unknown, what: string) => {
    const trouble = describeTrouble(err);
    // A closed campaign's message says what it takes from now on; this says what became of the one just sent.
    if (trouble.kind === "closed") setStopped({ ...trouble, message: `${trouble.message} ${what} was not saved.` });
    else if (stopsLabeling(trouble)) setStopped(trouble);
    else if (trouble.kind === "transient") setError(`${what} was not saved: ${trouble.message} Its pair is back on screen as you left it; send it again.`);
    else setError(trouble.message);
  };

  const sending = labelingKeys.sending(campaign.id);
  const submit = useMutation({
    mutationKey: sending,
    mutationFn: (body: { clientSubmissionId: string; assignmentId: string } & Record<string, unknown>) =>
      outbox.send(body.clientSubmissionId, () => fetchJson<{ judgment: JudgmentDto }>("/api/v1/judgments", { method: "POST", json: body })),
    retry: sendRetry,
    retryDelay: sendRetryDelay,
    onSuccess: (answer, body) => {
      // null: undone before it was sent; Undo already brought its pair back.
      if (!answer) return;
      outbox.settle(body.clientSubmissionId, answer.judgment);
      forget(answer.judgment.assignmentId);
      const task = judgedTasks.current.get(body.clientSubmissionId);
      judgedTasks.current.delete(body.clientSubmissionId);
      if (task) keepUndoable(campaign.id, labelerId, { submissionId: body.clientSubmissionId, judgment: answer.judgment, task });
    },
    onError: (err, body) => {
      judgedTasks.current.delete(body.clientSubmissionId);
      outbox.settle(body.clientSubmissionId, null);
      setUndoStack((s) => s.filter((j) => j.submissionId !== body.clientSubmissionId));
      release(body.assignmentId);
      sendFailed(err, "Your judgment");
    },
    onSettled: afterChange,
  });
  const skip = useMutation({
    mutationKey: sending,
    mutationFn: ({ assignmentId, reason, text }: { assignmentId: string; reason: SkipReason; text: string | null }) =>
      fetchJson(`/api/v1/assignments/${assignmentId}/skip`, { method: "POST", json: { reason, text } }),
    // Skipping an already skipped task answers 204 again, so it may be resent too.
    retry: sendRetry,
    retryDelay: sendRetryDelay,
    onSuccess: (_, { assignmentId }) => forget(assignmentId),
    onError: (err, { assignmentId }) => {
      release(assignmentId);
      sendFailed(err, "Your skip");
    },
    onSettled: afterChange,
  });
  // Judgments and skips on their way, and whether any is being sent again; a judgment withdrawn by
  // Undo is still pending in react-query until it is back online, but it will not be sent.
  const unsent = useMutationState({
    filters: { mutationKey: sending, status: "pending" },
    select: (m) => ({ failures: m.state.failureCount, submissionId: (m.state.variables as { clientSubmissionId?: string } | undefined)?.clientSubmissionId }),
  }).filter(({ submissionId }) => !submissionId || !outbox.isWithdrawn(submissionId));
  const online = useSyncExternalStore(onlineManager.subscribe.bind(onlineManager), isOnline, alwaysOnline);
  const undo = useMutation({
    // Offline it waits, as a judgment does, and is sent when the browser is back online; it is
    // sent only once the judgment it undoes is stored (an undo reaching the server first would
    // find nothing to remove, and the judgment's resend would then store it for good).
    mutationFn: async (judged: Judged) => {
      const judgment = await judged.stored;
      return judgment ? fetchJson<{ task: Task }>(`/api/v1/judgments/${judgment.id}`, { method: "DELETE" }) : null;
    },
    retry: sendRetry,
    retryDelay: sendRetryDelay,
    onSuccess: async (answer, judged) => {
      dropFromUndo(judged);
      dropUndoable(campaign.id, labelerId, judged.submissionId);
      // null: the judgment was refused for good; its failure already said so and brought its pair back.
      if (!answer) return;
      // A refill that left before the pair came back would draw the queue without it.
      await queryClient.cancelQueries({ queryKey: queueKey });
      bringBack(answer.task);
      void queryClient.invalidateQueries({ queryKey: labelingKeys.stats() });
    },
    onError: (err, judged) => {
      const trouble = describeTrouble(err);
      if (stopsLabeling(trouble)) setStopped(trouble);
      else if (err instanceof ApiError && err.code === "not_found:judgment") {
        // Kept from before a reload, or copied with the tab, the judgment was undone (and its pair
        // judged again) in another tab: kept, it answered every Z with this and hid the ones under it.
        dropFromUndo(judged);
        dropUndoable(campaign.id, labelerId, judged.submissionId);
        setError(
          <>
            That judgment was already undone, in another tab or before a reload. Undo again<span className="pointer-coarse:hidden"> (Z)</span> to take back the one before it.
          </>,
        );
      } else
        setError(
          trouble.kind === "transient" ? (
            <>
              Your undo did not reach the server: {trouble.message} Undo again<span className="pointer-coarse:hidden"> (Z)</span> to try again.
            </>
          ) : (
            trouble.message
          ),
        );
    },
  });

  // Typing a rationale on a phone, the on-screen keyboard takes the bottom of the screen once the
  // field has the focus, and the browser scrolls only the field back into view: Submit, Skip and
  // Undo under it are brought in too, on focus and whenever the visible part of the page shrinks.
  const rationaleField = useRef<HTMLTextAreaElement>(null);
  const actions = useRef<HTMLDivElement>(null);
  const revealActions = useCallback(() => actions.current?.scrollIntoView({ block: "nearest" }), []);
  useEffect(() => {
    const viewport = window.visualViewport;
    if (!viewport) return;
    const onResize = () => {
      if (document.activeElement === rationaleField.current) revealActions();
    };
    viewport.addEventListener("resize", onResize);
    return () => viewport.removeEventListener("resize", onResize);
  }, [revealActions]);

  const decisive = choice === "left" || choice === "right";
  const needsStrength = settings.askStrength && decisive && strength === null;
  const needsRationale = settings.rationale === "required" && rationale.trim() === "";
  const canSubmit = task !== null && choice !== null && !needsStrength && !needsRationale;

  const doSubmit = useCallback(() => {
    // A second Enter before the next pair is drawn would send this task again.
    if (task && handled.current.has(task.assignmentId)) return;
    if (!task || !canSubmit) {
      // Ctrl+Enter from the rationale: the keys these messages name would type into it, so the focus leaves it.
      if ((task && choice === null) || needsStrength) rationaleField.current?.blur();
      if (task && choice === null) setError(`Pick a response first (${pickKeys(settings)}).`);
      else if (needsStrength) setError("Say how much better (Q / W / E / R).");
      else if (needsRationale) {
        setError(RATIONALE_MISSING);
        // The one thing left is typed there: Enter takes the labeler to it (else 15 Tabs away), and Ctrl+Enter submits from it.
        rationaleField.current?.focus();
      }
      return;
    }
    setError(null);
    submittedAt.current = performance.now();
    const clientSubmissionId = crypto.randomUUID();
    const judged = outbox.add(clientSubmissionId, task);
    judgedTasks.current.set(clientSubmissionId, task);
    setUndoStack((s) => [judged, ...s].slice(0, 20));
    submit.mutate({
      clientSubmissionId,
      assignmentId: task.assignmentId,
      choice,
      strength: decisive && settings.askStrength ? strength : null,
      rationale: settings.rationale === "off" ? null : rationale.trim() || null,
      activeMs: activeTime.current(),
    });
    advance(task.assignmentId);
  }, [task, canSubmit, choice, needsStrength, needsRationale, outbox, submit, decisive, settings, strength, rationale, activeTime, advance]);

  const doSkip = useCallback(
    (reason: SkipReason, text: string | null) => {
      if (!task || handled.current.has(task.assignmentId)) return;
      setSkipping(false);
      setError(null);
      skip.mutate({ assignmentId: task.assignmentId, reason, text });
      advance(task.assignmentId);
    },
    [task, skip, advance],
  );

  const doUndo = useCallback(() => {
    const last = undoStack[0];
    // Z pressed again while that undo is on its way (or waiting, or being sent again) names the same judgment: one request is enough.
    if (undo.isPending) return;
    if (!last) setError("Nothing to undo.");
    else if (outbox.withdraw(last.submissionId)) {
      // Never sent: nothing to undo on the server, so its pair is back at once, online or not.
      dropFromUndo(last);
      bringBack(last.task);
    } else undo.mutate(last);
  }, [undoStack, undo, outbox, dropFromUndo, bringBack]);

  const queueTrouble = queue.isError ? describeTrouble(queue.error) : null;
  // Signed out, disabled or campaign closed: said once, in place of the task, whichever request learnt it first.
  const stop = stopped ?? (queueTrouble && stopsLabeling(queueTrouble) ? queueTrouble : null);

  // The listener is registered once and calls the latest handler, which sees current state.
  const onKeyRef = useRef<(event: KeyboardEvent) => void>(() => {});
  useEffect(() => {
    onKeyRef.current = function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement;
      const typing = target.tagName === "TEXTAREA" || target.tagName === "INPUT" || target.tagName === "SELECT";
      if (typing) {
        if (event.key === "Escape") target.blur();
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.tagName === "TEXTAREA") {
          event.preventDefault();
          doSubmit();
        }
        return;
      }
      // Stopped, the keys belong to the page again: Enter follows the focused "Sign in again".
      if (event.ctrlKey || event.metaKey || event.altKey || skipping || stop) return;
      // Enter on a link or a button (the header's Sign out, Menu or Label, Guidelines, Try again, the
      // pair's Skip and Undo, a link in a response) is that control's: taken for Submit, it sent the
      // pair's judgment and the control did nothing. On the buttons that pick (a response, tie, both
      // bad, a strength), which a click leaves focused, Enter still submits what was picked.
      if (event.key === "Enter" && target instanceof Element && target.closest("a[href], button") && !target.closest("[data-task-form] button[data-picks]")) return;
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      if (key === "?") setShowGuidelines((v) => !v);
      else if (key === "Escape") setShowGuidelines(false);
      else if (key === "z") doUndo();
      else if (!task) return;
      else if (key === "1" || key === "ArrowLeft") setChoice("left");
      else if (key === "2" || key === "ArrowRight") setChoice("right");
      else if (key === "t" && settings.allowTie) setChoice("tie");
      else if (key === "b" && settings.allowBothBad) setChoice("both_bad");
      else if (settings.askStrength && strengthKeys.includes(key as (typeof strengthKeys)[number])) setStrength(strengthKeys.indexOf(key as (typeof strengthKeys)[number]) + 1);
      else if (key === "Enter") doSubmit();
      else if (key === "s") setSkipping(true);
      else return;
      event.preventDefault();
    };
  });
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKeyRef.current(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  // The prefetched pairs run out whenever the labeler outpaces the refill: only the server's
  // latest answer, with no newer one on the way, means there is nothing left.
  const outOfPairs = queue.data?.done === true && !queue.isFetching;
  const waiting = [unsent.length ? count(unsent.length, "answer") : null, undo.isPending ? "your undo" : null].filter(Boolean).join(" and ");
  const sendingNote = !waiting
    ? null
    : !online
      ? // "Keep going" only while there is a pair to go on with: offline, the queue cannot refill.
        `You are offline: ${waiting} will be sent when the connection is back.${task ? " Keep going." : ""}`
      : unsent.some(({ failures }) => failures > 0) || undo.failureCount > 0
        ? `The connection failed; sending ${waiting} again.`
        : null;
  const queueRetry = !stop && queueTrouble ? (
    <div role="alert" className="flex flex-wrap items-center gap-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
      <p>The next pair could not be loaded: {queueTrouble.message}</p>
      <Button variant="outline" size="sm" onClick={() => void queue.refetch()} disabled={queue.isFetching}>
        Try again
      </Button>
    </div>
  ) : null;

  const s = stats.data?.stats;
  const p = progress.data?.campaign;
  const completion = p && p.pairCount ? p.completedPairs / p.pairCount : 0;

  return (
    <div className="flex flex-col gap-4" data-transition-ms={transitionMs ?? undefined} data-queued={queue.data?.tasks.length ?? 0}>
      <div className="flex flex-wrap items-center gap-4">
        <h1 className="text-xl font-semibold">{campaign.name}</h1>
        <div className="ml-auto flex flex-wrap items-center gap-4 text-sm text-slate-600">
          <span data-testid="today-count" className="whitespace-nowrap">Today: {s?.today ?? "…"}</span>
          <div className="flex items-center gap-2">
            <span>Campaign</span>
            <div role="progressbar" aria-label="Campaign completion" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(completion * 100)} className="h-2 w-32 overflow-hidden rounded bg-slate-200">
              <div className="h-full bg-emerald-500" style={{ width: `${completion * 100}%` }} />
            </div>
            <span>{Math.round(completion * 100)}%</span>
          </div>
          <Button variant="outline" size="sm" onClick={() => setShowGuidelines((v) => !v)} aria-expanded={showGuidelines}>
            Guidelines <KeyHint>?</KeyHint>
          </Button>
        </div>
      </div>

      {showGuidelines ? <Guidelines text={campaign.guidelines} onClose={() => setShowGuidelines(false)} /> : null}
      {error && !stop ? (
        <p id="label-error" role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {sendingNote && !stop ? (
        <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {sendingNote}
        </p>
      ) : null}
      {task ? queueRetry : null}

      {stop ? (
        <StopPanel trouble={stop} campaignId={campaign.id} />
      ) : task ? (
        // Keyed by the task: each pair is a fresh form, so focus left in the last one's rationale
        // goes back to the page, where the shortcuts listen.
        <section key={task.assignmentId} aria-label="Task" data-task-form data-assignment-id={task.assignmentId} className="flex flex-col gap-4">
          <div className="rounded-lg border border-slate-200 bg-white p-4">
            <h2 className="mb-2 text-xs font-medium uppercase text-slate-500">Prompt</h2>
            <PromptView prompt={task.prompt} />
          </div>
          <div role="radiogroup" aria-label="Which response is better?" className="grid grid-cols-1 gap-4 md:grid-cols-2">
            {(["left", "right"] as const).map((side, i) => (
              <div
                key={side}
                className={cn("flex flex-col rounded-lg border-2 bg-white transition-colors", choice === side ? "border-emerald-500 bg-emerald-50" : "border-slate-200 hover:border-slate-400")}
              >
                <button
                  type="button"
                  role="radio"
                  data-picks
                  aria-checked={choice === side}
                  aria-label={`Response ${i + 1} (${side}) is better`}
                  onClick={() => setChoice(side)}
                  className="rounded-t-md px-4 pb-2 pt-4 text-left text-xs pointer-coarse:min-h-11 font-medium uppercase text-slate-500 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-slate-400"
                >
                  Response {i + 1} <KeyHint className="ml-1 rounded border px-1">{String(i + 1)}</KeyHint>
                </button>
                {/* A long response scrolls in here instead of stretching both cards; focusable, so the keys
                    scroll it too. A click on the text picks it, as a click on the card always did. */}
                <div
                  role="region"
                  aria-label={`Response ${i + 1} text`}
                  tabIndex={0}
                  onClick={() => setChoice(side)}
                  className="max-h-[60vh] cursor-pointer overflow-y-auto px-4 pb-4 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-slate-400"
                >
                  <Markdown>{task[side].text}</Markdown>
                </div>
              </div>
            ))}
          </div>
          <div className="flex flex-wrap items-center gap-2">
            {settings.allowTie ? (
              <Button data-picks variant={choice === "tie" ? "default" : "outline"} aria-pressed={choice === "tie"} onClick={() => setChoice("tie")}>
                Tie <KeyHint>T</KeyHint>
              </Button>
            ) : null}
            {settings.allowBothBad ? (
              <Button data-picks variant={choice === "both_bad" ? "default" : "outline"} aria-pressed={choice === "both_bad"} onClick={() => setChoice("both_bad")}>
                Both bad <KeyHint>B</KeyHint>
              </Button>
            ) : null}
            {settings.askStrength && decisive ? (
              <div role="radiogroup" aria-label="How much better?" className="grid w-full grid-cols-2 gap-1 sm:flex sm:w-auto">
                {strengthLabels.map((label, i) => (
                  <Button key={label} size="sm" role="radio" data-picks aria-checked={strength === i + 1} variant={strength === i + 1 ? "default" : "outline"} onClick={() => setStrength(i + 1)}>
                    {label} <KeyHint>{strengthKeys[i]!.toUpperCase()}</KeyHint>
                  </Button>
                ))}
              </div>
            ) : null}
          </div>
          {settings.rationale !== "off" ? (
            <label className="flex flex-col gap-1 text-sm">
              <span>
                Rationale {settings.rationale === "required" ? "(required)" : "(optional)"}
                <span className="pointer-coarse:hidden"> — Ctrl+Enter submits from here</span>
              </span>
              <textarea
                value={rationale}
                onChange={(e) => setRationale(e.target.value)}
                rows={2}
                maxLength={5000}
                aria-invalid={error === RATIONALE_MISSING || undefined}
                aria-describedby={error === RATIONALE_MISSING ? "label-error" : undefined}
                ref={rationaleField}
                onFocus={revealActions}
                // 16 px on a touch screen: iOS zooms the page into a field with smaller text.
                className="rounded-md border border-slate-300 p-2 aria-[invalid=true]:border-red-600 pointer-coarse:text-base"
              />
            </label>
          ) : null}
          <div ref={actions} className="flex flex-wrap items-center gap-2">
            <Button onClick={doSubmit} disabled={!canSubmit}>
              Submit <KeyHint>Enter</KeyHint>
            </Button>
            <Button variant="outline" onClick={() => setSkipping(true)}>
              Skip <KeyHint>S</KeyHint>
            </Button>
            <Button variant="ghost" onClick={doUndo} disabled={undoStack.length === 0}>
              Undo last <KeyHint>Z</KeyHint>
            </Button>
          </div>
          {skipping ? <SkipPanel onSkip={doSkip} onCancel={() => setSkipping(false)} /> : null}
        </section>
      ) : outOfPairs ? (
        <div className="rounded-lg border border-slate-200 bg-white p-8 text-center">
          <h2 className="text-lg font-semibold">No pairs left for you here</h2>
          <p className="mt-1 text-slate-600">Every pair you can judge in this campaign is done or taken. Thank you!</p>
          {/* The bar above counts pairs with every judgment they want, so after judging all of theirs a labeler could read 0% as their own work lost. */}
          {p && p.completedPairs < p.pairCount ? (
            <p className="mt-1 text-sm text-slate-500">
              {p.completedPairs} of {p.pairCount} pairs have all their judgments; the rest are waiting for other labelers.
            </p>
          ) : null}
          <Link href="/label" className={panelLink}>
            Back to your campaigns
          </Link>
          {undoStack.length ? (
            <div className="mt-2 flex flex-wrap items-center justify-center gap-2 text-sm text-slate-500">
              {/* The button beside it says the same on a touch screen, where there is no Z to press. */}
              <p className="pointer-coarse:hidden">Press Z to undo your last judgment.</p>
              <Button variant="outline" size="sm" onClick={doUndo}>
                Undo last <KeyHint>Z</KeyHint>
              </Button>
            </div>
          ) : null}
        </div>
      ) : queueRetry ? (
        queueRetry
      ) : online ? (
        <p role="status" className="text-slate-600">Loading the next pair…</p>
      ) : (
        // Offline the refill waits for the connection: "Loading" would promise a pair that cannot come.
        <p role="status" className="text-slate-600">
          {sendingNote ? "The next pair will load when the connection is back." : "You are offline: the next pair will load when the connection is back."}
        </p>
      )}

      <footer aria-label="Keyboard shortcuts" className="rounded-md bg-slate-100 p-3 text-xs text-slate-600">
        <strong>Keys:</strong> 1 / ← left · 2 / → right{settings.allowTie ? " · T tie" : ""}
        {settings.allowBothBad ? " · B both bad" : ""}
        {settings.askStrength ? " · Q W E R strength" : ""} · Enter submit · S skip · Z undo · ? guidelines
      </footer>
    </div>
  );
}
