/**
 * Time left of a running run, from the progress its worker reports. Pure, so the same
 * estimate serves the API, the runs list and the run page, and is tested on numbers.
 */
import type { RunProgress } from "@/db/schema";

/** No estimate before this many steps have been timed in the current attempt… */
const ETA_MIN_STEPS = 3;
/** …and before this much of the attempt has been timed (the first steps include warm-up). */
const ETA_MIN_MS = 5000;

export type Eta = { seconds: number; secondsPerStep: number };

/**
 * Steps left × seconds per step, where the rate is measured on the worker's clock from this
 * attempt's first report (so model loading and steps done by an earlier attempt do not count),
 * less the time since the last report (so the figure counts down between heartbeats). Never
 * negative. Null when there is no planned total, the run is done, or too little was measured.
 * A run with a time budget (PPO's `maxMinutes`) stops after the step that ends past it, so its
 * steps left are at most the budget left in steps, rounded up.
 */
export function estimateEta(progress: RunProgress | null, now: Date): Eta | null {
  if (!progress) return null;
  const { done, total, firstDone, elapsedMs, at, budgetMsLeft } = progress;
  if (!(total > 0) || !(done >= 0) || done >= total) return null;
  const measured = done - firstDone;
  if (measured < ETA_MIN_STEPS || elapsedMs < ETA_MIN_MS) return null;
  const secondsPerStep = elapsedMs / 1000 / measured;
  const sinceReport = Math.max(0, (now.getTime() - Date.parse(at)) / 1000) || 0;
  const stepsLeft = budgetMsLeft === undefined ? total - done : Math.min(total - done, Math.max(0, Math.ceil(budgetMsLeft / 1000 / secondsPerStep)));
  return { seconds: Math.max(0, stepsLeft * secondsPerStep - sinceReport), secondsPerStep };
}

/** "about 45 s left", "about 3 min left", "about 1 h 20 min left"; "almost done" once the estimate has run out. */
export function formatEta(seconds: number): string {
  if (seconds < 1) return "almost done";
  if (seconds < 60) return `about ${Math.round(seconds)} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

/**
 * "12/84 steps · about 3 min left" (an eval's responses) for a running run (the runs list and the run page), "…
 * estimating…" before there is an estimate, "… finishing…" once every step is done; null for a run that is not running or has not reported.
 */
export function runProgressText(run: { kind: string; status: string; progress: { done: number; total: number } | null; eta: Eta | null }): string | null {
  if (run.status !== "running") return null;
  // An eval reports the responses it has sampled (policy A's, B's and the best-of-n pool's).
  const unit = run.kind === "eval" ? "responses" : "steps";
  const steps = run.progress ? `${run.progress.done}/${run.progress.total} ${unit}` : null;
  // Every step done while still running: the job is scoring or saving what it made (the demo
  // eval of a PPO policy spent 15 s there after 115 s of sampling), which no step count times.
  const finishing = run.progress && run.progress.done >= run.progress.total;
  const eta = finishing ? "finishing…" : run.eta ? formatEta(run.eta.seconds) : run.progress ? "estimating…" : null;
  if (!steps && !eta) return null;
  return [steps, eta].filter(Boolean).join(" · ");
}

/** What the estimate means, for the help text beside it. */
export const etaHelp =
  "Estimated time left: steps left × the time per step measured since this attempt's first reported step (model loading and steps of an earlier attempt excluded). Shown once 3 steps and 5 s have been timed; for reward runs with early stopping the planned steps are an upper bound, so the run may end sooner; a PPO run with maxMinutes is counted to the end of the step that passes its budget.";
