"use client";
import { useQuery } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { count } from "@/app/_components/count";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { LabeledSelect } from "@/app/_components/ui/labeled-select";
import { fetchJson } from "@/lib/query/fetch-json";
import { runKeys } from "@/lib/query/keys";
import { readNewSamples, type SamplePage } from "@/lib/runs/sample-pages";
import type { RunSampleDto } from "@/lib/runs/schema";
import { POLL_MS } from "../live";
import { useRefetchWhenDone } from "./use-refetch-when-done";

const LATEST = "latest";

/** A prompt as the model saw it: the text, or each chat turn on its own line. */
function PromptText({ prompt }: { prompt: RunSampleDto["prompt"] }) {
  if (typeof prompt === "string") return <div className="whitespace-pre-wrap font-mono text-xs text-slate-600">{prompt}</div>;
  return (
    <div className="font-mono text-xs text-slate-600">
      {prompt.map((turn, i) => (
        <div key={i} className="whitespace-pre-wrap">
          <span className="text-slate-500">{turn.role}:</span> {turn.content}
        </div>
      ))}
    </div>
  );
}

/**
 * The sample generations a run stores as it trains (PPO: every `sampleEvery` iterations), polled
 * every 2 s while the run is live (only iterations after the last one held, page by page), once
 * more when it ends. Shows one iteration at a time: the newest, following new ones, until another
 * is picked. A run without samples shows nothing, except a live run of a kind that samples, which
 * says none have come yet; a run of another kind asks for none. Responses are React text: never parsed as HTML.
 */
export function RunSamples({ runId, live, sampling }: { runId: string; live: boolean; /** The run's kind stores samples (ppo); other kinds ask for none. */ sampling: boolean }) {
  const held = useRef<RunSampleDto[]>([]);
  const query = useQuery({
    queryKey: runKeys.samples(runId),
    queryFn: async () => {
      held.current = await readNewSamples(held.current, (after) => fetchJson<SamplePage>(`/api/v1/runs/${runId}/samples?after=${after}`));
      return held.current;
    },
    enabled: sampling,
    refetchInterval: sampling && live ? POLL_MS : false,
  });
  useRefetchWhenDone(sampling && live, query.refetch);
  const [picked, setPicked] = useState(LATEST);

  const samples = query.data ?? [];
  const iterations = [...new Set(samples.map((s) => s.iteration))].reverse(); // newest first
  if (iterations.length === 0) {
    if (!(sampling && live)) return null;
    return (
      <Card>
        <CardHeader>
          <CardTitle>Sample generations</CardTitle>
          <CardDescription>
            None yet: they appear here at the first iteration that stores them (every <code>sampleEvery</code> iterations).
          </CardDescription>
        </CardHeader>
      </Card>
    );
  }
  const shown = picked === LATEST ? iterations[0]! : Number(picked);
  const rows = samples.filter((s) => s.iteration === shown);
  const meanScore = rows.reduce((sum, s) => sum + s.score, 0) / rows.length;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Sample generations</CardTitle>
        <CardDescription>
          What the policy wrote for a few of an iteration&apos;s prompts, with the reward model&apos;s score, stored as the run makes them
          {live ? " (updates every 2 s)" : ""}.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <div className="flex flex-wrap items-end gap-4">
          <LabeledSelect
            id="sample-iteration"
            label="Show iteration"
            value={picked}
            onChange={(e) => setPicked(e.target.value)}
            options={[{ id: LATEST, label: `newest (${iterations[0]})` }, ...iterations.map((i) => ({ id: String(i), label: String(i) }))]}
          />
          <p className="pb-2 text-xs text-slate-500">
            {count(samples.length, "sample")} from {count(iterations.length, "iteration")} · mean score at iteration {shown}: {meanScore.toFixed(3)}
          </p>
        </div>
        <ul aria-label={`Samples of iteration ${shown}`} className="flex flex-col gap-2 text-sm">
          {rows.map((s) => (
            <li key={`${s.iteration}-${s.position}`} className="rounded border border-slate-100 p-2">
              <PromptText prompt={s.prompt} />
              <div className="whitespace-pre-wrap">{s.response || <span className="text-slate-500">(empty response)</span>}</div>
              <span className="text-xs text-slate-500">score {s.score.toFixed(3)}</span>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}
