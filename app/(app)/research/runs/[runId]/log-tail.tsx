"use client";
import { useQuery } from "@tanstack/react-query";
import { useLayoutEffect, useRef } from "react";
import { count } from "@/app/_components/count";
import { fetchJson } from "@/lib/query/fetch-json";
import { runKeys } from "@/lib/query/keys";
import { RUN_LOG_KEEP } from "@/lib/runs/log-limits";
import type { RunLogDto } from "@/lib/runs/schema";
import { POLL_MS } from "../live";
import { useRefetchWhenDone } from "./use-refetch-when-done";

const levelClass: Record<RunLogDto["level"], string> = { info: "text-sky-300", warn: "text-amber-300", error: "text-red-400" };

/**
 * The tail of the run's worker log, polled every 2 s while the run is live (only lines after
 * the last one held), once more when it ends. Follows new lines while scrolled to the bottom;
 * scrolling up stops following. Lines are React text: never parsed as HTML.
 */
export function LogTail({ runId, live }: { runId: string; live: boolean }) {
  const held = useRef<RunLogDto[]>([]);
  const query = useQuery({
    queryKey: runKeys.logs(runId),
    queryFn: async () => {
      const after = held.current.at(-1)?.seq ?? 0;
      const { logs } = await fetchJson<{ logs: RunLogDto[]; lastSeq: number }>(`/api/v1/runs/${runId}/logs?after=${after}`);
      held.current = [...held.current, ...logs].slice(-RUN_LOG_KEEP);
      return held.current;
    },
    refetchInterval: live ? POLL_MS : false,
  });
  useRefetchWhenDone(live, query.refetch);

  const box = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  useLayoutEffect(() => {
    if (follow.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [query.data]);
  const lines = query.data ?? [];

  const dropped = lines.length > 0 && lines[0]!.seq > 1;
  return (
    <div className="flex flex-col gap-1">
      <div
        ref={box}
        role="log"
        aria-label="Worker log"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
        className="max-h-80 min-h-24 overflow-y-auto rounded-md bg-slate-950 p-3 font-mono text-xs leading-5 text-slate-100"
      >
        {dropped ? <div className="text-slate-400">… {lines[0]!.seq - 1} earlier lines not kept (the last {RUN_LOG_KEEP} are)</div> : null}
        {lines.length === 0 ? (
          <div className="text-slate-400">{query.isError ? `Could not load the log: ${query.error.message}` : live ? "Waiting for the worker…" : "This run logged nothing."}</div>
        ) : (
          lines.map((l) => (
            <div key={l.seq} className="whitespace-pre-wrap break-words">
              <span className="text-slate-400">{l.at.slice(11, 19)}</span> <span className={levelClass[l.level]}>{l.level.padEnd(5)}</span> {l.message}
            </div>
          ))
        )}
      </div>
      <p className="text-xs text-slate-500">
        {count(lines.length, "line")}{live ? " · updates every 2 s" : ""} · the worker&apos;s progress messages, warnings and errors for this run; the last {RUN_LOG_KEEP} lines are kept.
      </p>
    </div>
  );
}
