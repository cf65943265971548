/**
 * The worker's side of a run's log tail: lines are buffered and written to Postgres in
 * batches (at most every FLUSH_MS), one batch at a time so they keep their order. A failed
 * write is reported on the worker's own log and never fails the run.
 */
import type { RunLogLevel } from "@/db/values";
import type { Logger } from "@/lib/logger";
import type { RunLogLine } from "@/lib/runs/logs";

const FLUSH_MS = 500;
/** Lines buffered before a write is started without waiting for the timer. */
const FLUSH_LINES = 50;

export type RunLogWriter = {
  push: (level: RunLogLevel, message: string) => void;
  /** Writes what is buffered; resolves when every line pushed so far is stored (or given up). */
  flush: () => Promise<void>;
};

export function createRunLogWriter({
  runId,
  append,
  logger,
  flushMs = FLUSH_MS,
}: {
  runId: string;
  append: (input: { runId: string; lines: RunLogLine[] }) => Promise<unknown>;
  logger: Logger;
  flushMs?: number;
}): RunLogWriter {
  let buffer: RunLogLine[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let chain: Promise<void> = Promise.resolve();

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const lines = buffer;
    buffer = [];
    if (lines.length) {
      chain = chain.then(() =>
        append({ runId, lines }).then(
          () => undefined,
          (err: unknown) => logger.warn({ err: String(err), lines: lines.length }, "could not store run log lines"),
        ),
      );
    }
    return chain;
  };

  return {
    push: (level, message) => {
      buffer.push({ level, message, at: new Date() });
      if (buffer.length >= FLUSH_LINES) void flush();
      else timer ??= setTimeout(() => void flush(), flushMs);
    },
    flush,
  };
}

/** `msg key=value …`: fields as the worker's JSON log has them, on one readable line. */
export function formatLogLine(message: string, fields?: Record<string, unknown>): string {
  const parts = Object.entries(fields ?? {}).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return [message, ...parts].join(" ");
}

/** `step 20/84 loss/train 0.6931 reward/accuracy 0.5000`: a step's first few metrics, losses first. */
export function stepLine(step: number, total: number, metrics: Record<string, number>): string {
  const shown = Object.entries(metrics)
    .filter(([, v]) => Number.isFinite(v))
    .sort(([a], [b]) => Number(!a.startsWith("loss/")) - Number(!b.startsWith("loss/")) || a.localeCompare(b))
    .slice(0, 4)
    .map(([k, v]) => `${k} ${Math.abs(v) >= 1e4 ? v.toExponential(3) : v.toFixed(4)}`);
  return [`step ${step}/${total}`, ...shown].join(" ");
}

/** Log a step line about 20 times over a run: every ceil(total/20) steps, and the last step. */
export function isLoggedStep(step: number, total: number): boolean {
  const every = Math.max(1, Math.ceil(total / 20));
  return step === total || step % every === 0;
}
