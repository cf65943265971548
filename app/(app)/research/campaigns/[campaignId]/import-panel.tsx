"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { count } from "@/app/_components/count";
import { Button } from "@/app/_components/ui/button";
import { Input, NativeSelect } from "@/app/_components/ui/input";
import { Label } from "@/app/_components/ui/label";
import { ValueOptions } from "@/app/_components/ui/value-options";
import { apiErrorMessage, postWithProgress, UploadProgress } from "@/app/_components/upload";
import { importFormatValues, importTrlAsValues, type ImportTrlAs } from "@/db/values";
import { describeGoldConflict } from "@/lib/imports/gold-conflicts";
import { describeIgnoredKey } from "@/lib/imports/keys";
import type { ImportResult } from "@/lib/imports/schema";

type State = { kind: "idle" } | { kind: "uploading"; percent: number } | { kind: "done"; result: ImportResult } | { kind: "failed"; message: string };

/** Uploads a JSONL/CSV file to the import API, with upload progress, and shows the outcome. */
export function ImportPanel({ campaignId }: { campaignId: string }) {
  const router = useRouter();
  const [state, setState] = useState<State>({ kind: "idle" });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const file = form.get("file");
    // With no file chosen the browser still sends one: nameless and empty.
    if (!(file instanceof File) || file.name === "") return setState({ kind: "failed", message: "Choose a file first." });
    if (file.size === 0) return setState({ kind: "failed", message: "The file is empty." });
    const format = String(form.get("format") || (file.name.toLowerCase().endsWith(".csv") ? "csv" : "jsonl"));
    const params = new URLSearchParams({ format, trlAs: String(form.get("trlAs")), maxPairsPerPrompt: String(form.get("maxPairsPerPrompt") || 0) });
    postWithProgress(`/api/v1/campaigns/${campaignId}/import?${params}`, file, (percent) => setState({ kind: "uploading", percent })).then(
      ({ status, body }) => {
        if (status !== 200 && status !== 422) return setState({ kind: "failed", message: apiErrorMessage(body, `Import failed (${status}).`) });
        setState({ kind: "done", result: body as ImportResult });
        if (status === 200) router.refresh();
      },
      (err: Error) => setState({ kind: "failed", message: err.message }),
    );
  }

  return (
    <div className="flex flex-col gap-3">
      {/* method="post": sent before the page's script has run, the browser sends the form itself, and as a GET its fields landed in the URL. */}
      <form method="post" onSubmit={onSubmit} className="grid grid-cols-1 gap-3 sm:grid-cols-5 sm:items-end">
        <div className="flex flex-col gap-1 sm:col-span-2">
          <Label htmlFor="import-file">File (JSONL or CSV)</Label>
          <Input id="import-file" name="file" type="file" accept=".jsonl,.json,.csv,.txt" />
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="import-format">Format</Label>
          <NativeSelect id="import-format" name="format" defaultValue="">
            <option value="">from the file name</option>
            <ValueOptions values={importFormatValues} labels={{ jsonl: "JSONL", csv: "CSV" }} />
          </NativeSelect>
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="import-trl">TRL rows become</Label>
          <NativeSelect id="import-trl" name="trlAs" defaultValue={"label" satisfies ImportTrlAs}>
            <ValueOptions values={importTrlAsValues} labels={{ label: "pairs to label", gold: "gold pairs" }} />
          </NativeSelect>
        </div>
        <Button type="submit" disabled={state.kind === "uploading"}>
          Import
        </Button>
        <input type="hidden" name="maxPairsPerPrompt" value="0" />
      </form>
      {state.kind === "uploading" ? (
        <>
          <UploadProgress percent={state.percent} />
          {/* The bar is full long before a large file is checked and written (100,000 rows: over half a minute). */}
          <p role="status" className="text-sm text-slate-600">
            {state.percent < 100 ? `Uploading: ${state.percent}%` : "Uploaded. Checking every line, then writing the pairs: nothing is written if a line is bad."}
          </p>
        </>
      ) : null}
      {state.kind === "failed" ? (
        <p role="alert" className="text-sm text-red-700">
          {state.message}
        </p>
      ) : null}
      {state.kind === "done" && state.result.ok ? (
        <p role="status" className="text-sm text-emerald-700">
          Imported {count(state.result.rows, "row")}: {count(state.result.pairsCreated, "new pair")}, {count(state.result.duplicatesSkipped, "duplicate")} skipped.
        </p>
      ) : null}
      {state.kind === "done" && !state.result.ok ? (
        <div role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800">
          <p className="font-medium">
            Nothing was imported: {count(state.result.errorCount, "bad line")}.
          </p>
          <ul className="mt-1 list-disc pl-5">
            {/* An error with `rows` stands for every line refused for one reason, and names its lines itself. */}
            {state.result.errors.map((e) => (e.rows ? <li key={e.line}>{e.message}</li> : <li key={e.line}>Line {e.line}: {e.message}</li>))}
          </ul>
        </div>
      ) : null}
      {state.kind === "done" && state.result.goldConflictCount ? <GoldConflicts result={state.result} /> : null}
      {state.kind === "done" && state.result.ignoredKeys.length ? <IgnoredKeys keys={state.result.ignoredKeys} /> : null}
    </div>
  );
}

/** The keys the import left out, so a column that was meant to be read is not lost without a word. */
function IgnoredKeys({ keys }: { keys: ImportResult["ignoredKeys"] }) {
  return (
    <div role="note" aria-label="Ignored keys" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
      <p className="font-medium">Not imported: {count(keys.length, "key")} that Pairwise does not read.</p>
      <ul className="mt-1 list-disc pl-5">
        {keys.map((k) => (
          <li key={k.key}>{describeIgnoredKey(k)}</li>
        ))}
      </ul>
    </div>
  );
}

/** Skipped rows whose gold answer the kept pair does not have: the file's gold answers contradict each other, or the campaign's. */
function GoldConflicts({ result }: { result: ImportResult }) {
  const more = result.goldConflictCount - result.goldConflicts.length;
  return (
    <div role="note" aria-label="Gold answers not kept" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
      <p className="font-medium">
        {result.goldConflictCount === 1 ? "1 skipped row repeats" : `${result.goldConflictCount} skipped rows repeat`} a pair with another gold answer; the pair kept keeps its own.
      </p>
      <ul className="mt-1 list-disc pl-5">
        {result.goldConflicts.map((c) => (
          <li key={c.line}>
            Line {c.line}: {describeGoldConflict(c)}
          </li>
        ))}
        {more > 0 ? <li>and {count(more, "more row")}</li> : null}
      </ul>
    </div>
  );
}
