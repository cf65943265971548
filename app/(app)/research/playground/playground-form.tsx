"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { count } from "@/app/_components/count";
import { Badge } from "@/app/_components/ui/badge";
import { Button } from "@/app/_components/ui/button";
import { Input } from "@/app/_components/ui/input";
import { Label } from "@/app/_components/ui/label";
import { LabeledSelect, type SelectOption } from "@/app/_components/ui/labeled-select";
import { inlineTapTarget } from "@/app/_components/ui/tap-target";
import { fetchJson } from "@/lib/query/fetch-json";
import { runKeys } from "@/lib/query/keys";
import type { PlaygroundRequest, PlaygroundResult, RunDto } from "@/lib/runs/schema";

type PlaygroundResponse = (PlaygroundResult & { runId: string }) | { run: RunDto };

const POLL_MS = 2000;
const finished = { eos: "ended with end-of-text", stop: "ended at a line break", length: "cut at max new tokens" } as const;

export function PlaygroundForm({ samplers, rewards, defaults }: { samplers: SelectOption[]; rewards: SelectOption[]; defaults: { first: string; second: string; reward: string } }) {
  const [waitingFor, setWaitingFor] = useState<string | null>(null);
  const generate = useMutation({
    mutationFn: (input: PlaygroundRequest) => fetchJson<PlaygroundResponse>("/api/v1/playground", { method: "POST", json: input }),
    onMutate: () => setWaitingFor(null),
    onSuccess: (data) => setWaitingFor("run" in data ? data.run.id : null),
  });
  // The workers were busy for the route's minute: follow the queued run until it finishes.
  const queued = useQuery({
    queryKey: runKeys.detail(waitingFor ?? "none"),
    queryFn: () => fetchJson<{ run: RunDto }>(`/api/v1/runs/${waitingFor}`).then((r) => r.run),
    enabled: waitingFor !== null,
    refetchInterval: (q) => (q.state.data?.status === "queued" || q.state.data?.status === "running" ? POLL_MS : false),
  });
  const immediate = generate.data && !("run" in generate.data) ? generate.data : null;
  const result = immediate ?? (waitingFor && queued.data?.status === "succeeded" ? { ...(queued.data.result as PlaygroundResult), runId: waitingFor } : null);
  const error = generate.error?.message ?? (waitingFor && queued.data && ["failed", "cancelled"].includes(queued.data.status) ? `Sampling ${queued.data.status}: ${queued.data.error ?? "no reason given"}` : null);
  const busy = generate.isPending || (waitingFor !== null && !result && !error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    generate.mutate({
      prompt: String(form.get("prompt") ?? ""),
      checkpointIds: [String(form.get("first")), String(form.get("second"))],
      rewardCheckpointId: String(form.get("reward") ?? "") || undefined,
      temperature: Number(form.get("temperature")),
      maxNewTokens: Number(form.get("maxNewTokens")),
      seed: Number(form.get("seed")),
    });
  }

  return (
    <div className="flex flex-col gap-6">
      {/* method="post": sent before the page's script has run, the browser sends the form itself, and as a GET its fields landed in the URL. */}
      <form method="post" onSubmit={submit} className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        <div className="flex flex-col gap-1 sm:col-span-3">
          <Label htmlFor="pg-prompt">Prompt</Label>
          <textarea id="pg-prompt" name="prompt" rows={2} required maxLength={4000} defaultValue="Define: harbor" className="rounded-md border border-slate-300 p-2 text-sm" />
        </div>
        <LabeledSelect id="pg-first" name="first" label="Checkpoint A" options={samplers} defaultValue={defaults.first} />
        <LabeledSelect id="pg-second" name="second" label="Checkpoint B" options={samplers} defaultValue={defaults.second} />
        <LabeledSelect id="pg-reward" name="reward" label="Reward model" options={rewards} empty="none: answers only, unscored" defaultValue={defaults.reward} />
        <div className="flex flex-col gap-1">
          <Label htmlFor="pg-temperature">Temperature</Label>
          <Input id="pg-temperature" name="temperature" type="number" min={0} max={2} step={0.05} defaultValue={0.9} required />
          <p className="text-xs text-slate-500">0 is greedy: always the most likely token.</p>
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="pg-max-new-tokens">Max new tokens</Label>
          <Input id="pg-max-new-tokens" name="maxNewTokens" type="number" min={1} max={256} step={1} defaultValue={48} required />
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="pg-seed">Seed</Label>
          <Input id="pg-seed" name="seed" type="number" min={0} max={2147483647} step={1} defaultValue={1} required />
          <p className="text-xs text-slate-500">Both checkpoints sample with it; the same seed gives the same answers.</p>
        </div>
        <div className="flex items-center gap-3 sm:col-span-3">
          <Button type="submit" disabled={busy}>
            {busy ? "Sampling…" : "Generate"}
          </Button>
          {waitingFor && busy ? <span className="text-sm text-slate-600">The workers are busy; run {waitingFor.slice(0, 8)} is {queued.data?.status ?? "queued"}…</span> : null}
          {error ? (
            <p role="alert" className="text-sm text-red-700">
              {error}
            </p>
          ) : null}
        </div>
      </form>
      {result ? <Samples result={result} /> : null}
    </div>
  );
}

function Samples({ result }: { result: PlaygroundResult & { runId: string } }) {
  const [a, b] = result.samples;
  const better = a.score === null || b.score === null || a.score === b.score ? null : a.score > b.score ? 0 : 1;
  return (
    <div className="flex flex-col gap-3">
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        {result.samples.map((s, i) => (
          <section
            key={i}
            aria-label={`Sample ${"AB"[i]} from ${s.checkpoint.name}`}
            className={`rounded-md border p-3 ${better === i ? "border-emerald-400 bg-emerald-50/40" : "border-slate-200"}`}
          >
            <header className="mb-2 flex flex-wrap items-center gap-2 text-sm">
              <strong>{"AB"[i]}</strong>
              <span className="font-mono text-xs">{s.checkpoint.name}</span>
              <Badge>{s.checkpoint.kind}</Badge>
              {s.score !== null ? (
                <span className="ml-auto" data-testid={`score-${"ab"[i]}`}>
                  reward {s.score.toFixed(3)}
                </span>
              ) : null}
            </header>
            <p className="whitespace-pre-wrap text-sm">{s.text || <span className="text-slate-500">(an empty answer)</span>}</p>
            <p className="mt-2 text-xs text-slate-500">
              {count(s.tokens, "token")}, {finished[s.finishReason]}
            </p>
          </section>
        ))}
      </div>
      <p className="text-sm text-slate-700" data-testid="preference">
        {result.reward && result.pFirstBetter !== null ? (
          <>
            {result.reward.name} prefers {result.pFirstBetter >= 0.5 ? "A" : "B"} with probability {Math.max(result.pFirstBetter, 1 - result.pFirstBetter).toFixed(3)} (Bradley-Terry on
            the two scores).{" "}
          </>
        ) : (
          "Unscored: no reward model was chosen. "
        )}
        Settings: temperature {result.settings.temperature}, max new tokens {result.settings.maxNewTokens}, seed {result.settings.seed}. Run{" "}
        <Link className={`font-mono underline ${inlineTapTarget}`} href={`/research/runs/${result.runId}`} data-testid="playground-run">
          {result.runId.slice(0, 8)}
        </Link>
        .
      </p>
    </div>
  );
}
