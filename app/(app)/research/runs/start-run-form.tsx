"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useRef, useState } from "react";
import { useSentBack } from "@/app/_components/sent-back";
import { submitKeepingInput } from "@/app/_components/submit-keeping-input";
import { Button } from "@/app/_components/ui/button";
import { fieldErrorsOf, NativeSelect, Textarea } from "@/app/_components/ui/input";
import { Label } from "@/app/_components/ui/label";
import { LabeledSelect, type SelectOption } from "@/app/_components/ui/labeled-select";
import type { Checkpoint } from "@/db/schema";
import { defaultsAsJson, describeRule, jsonDefault } from "@/lib/config/options";
import type { RunConfigCatalog } from "@/lib/runs/config-catalog";
import { defaultStartCheckpoint, runInputs } from "@/lib/runs/inputs";
import type { RunFormPrefill } from "@/lib/runs/next-steps";
import { startRunAction } from "./actions";

export function StartRunForm({
  kinds,
  snapshotKinds,
  snapshots,
  checkpoints,
  catalog,
  prefill,
}: {
  kinds: Record<string, string>;
  /** The kinds whose job reads the dataset snapshot; for the others the field is off. */
  snapshotKinds: string[];
  snapshots: SelectOption[];
  /** Newest first. */
  checkpoints: Array<SelectOption & { kind: Checkpoint["kind"] }>;
  catalog: RunConfigCatalog;
  /** Kind, checkpoint, snapshot and config to start with instead of the defaults. */
  prefill: RunFormPrefill | null;
}) {
  const router = useRouter();
  const [state, action, pending] = useActionState(startRunAction, null);
  // The choices a refusal brought back, where the browser posted the form itself before the page's script ran.
  const sentBack = useSentBack(state);
  const resent = sentBack.resent && Object.hasOwn(kinds, sentBack.value("kind", "")) ? sentBack : null;
  // State only where the page reacts to it: the kind picks the help, and "Fill in every default" writes the config.
  const [kind, setKind] = useState(resent?.value("kind", "") ?? prefill?.kind ?? "reward");
  const [config, setConfig] = useState(resent ? resent.value("config", "") : prefill ? JSON.stringify(prefill.config, null, 2) : "{}");
  const entry = catalog[kind];
  const takesSnapshot = snapshotKinds.includes(kind);
  // Only the checkpoints this kind's job can start from, the usual kind preselected (lib/runs/inputs.ts).
  const start = runInputs[kind as keyof typeof runInputs]?.start ?? null;
  const startOptions = start ? checkpoints.filter((c) => start.kinds.includes(c.kind)) : [];
  const prefilledStart = prefill?.kind === kind && startOptions.some((c) => c.id === prefill.checkpointId) ? prefill.checkpointId : undefined;
  // A prefill that names its start in the config (config.sft) leaves the field empty; one that names none gets the usual default.
  const startInConfig = prefill?.kind === kind && start !== null && typeof prefill.config[start.key] === "string";
  const resentStart = resent?.value("kind", "") === kind ? resent.value("parentCheckpointId", "") : undefined;
  const startDefault = resentStart ?? prefilledStart ?? (startInConfig ? "" : (defaultStartCheckpoint(kind, checkpoints)?.id ?? ""));
  const errors = fieldErrorsOf(state);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state?.ok) router.push(`/research/runs/${state.data.id}`);
    // The Start button, disabled while the form was sent, dropped the focus to the page: a refusal hands it to the field it marks.
    else if (state) (form.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form.current?.querySelector<HTMLElement>('button[type="submit"]'))?.focus();
  }, [state, router]);
  // action: sent before the page's script has run, the form is posted to the server action by the browser (a GET would put
  // the config in the URL and start nothing); once the script runs, onSubmit sends it instead and keeps what was typed.
  return (
    <form ref={form} action={action} onSubmit={submitKeepingInput(action)} className="grid grid-cols-1 gap-3 sm:grid-cols-3">
      <div className="flex flex-col gap-1">
        <Label htmlFor="run-kind">Kind</Label>
        <NativeSelect id="run-kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value)} error={errors.kind}>
          {Object.keys(kinds).map((k) => (
            <option key={k}>{k}</option>
          ))}
        </NativeSelect>
        <p className="text-xs text-slate-500">{kinds[kind]}</p>
      </div>
      {/* Remounted when the kind changes whether it reads a snapshot, so the choice shown is the one sent. */}
      <LabeledSelect
        key={takesSnapshot ? "snapshot" : "no-snapshot"}
        id="run-snapshot"
        name="snapshotId"
        label="Dataset snapshot"
        options={snapshots}
        empty={takesSnapshot ? "none" : `none: ${kind} runs read no snapshot`}
        defaultValue={takesSnapshot ? (resent ? resent.value("snapshotId", "") : (prefill?.snapshotId ?? snapshots[0]?.id ?? "")) : ""}
        disabled={!takesSnapshot}
        error={errors.snapshot ?? errors.snapshotId}
      />
      {/* Remounted with the kind, so its preselection follows the kind. */}
      <LabeledSelect
        key={`start-${kind}`}
        id="run-parent"
        name="parentCheckpointId"
        label="Start from checkpoint"
        options={startOptions}
        empty={start ? "none" : `none: ${kind} runs start from no checkpoint`}
        defaultValue={startDefault}
        disabled={!start}
        error={errors.checkpoint ?? errors.parentCheckpointId}
      />
      <div className="flex flex-col gap-1 sm:col-span-3">
        <div className="flex items-center justify-between gap-3">
          <Label htmlFor="run-config">Config (JSON: only the keys you change; checked against the options below when you start)</Label>
          {entry ? (
            <Button type="button" variant="outline" onClick={() => setConfig(JSON.stringify(defaultsAsJson(entry.options), null, 2))}>
              Fill in every default
            </Button>
          ) : null}
        </div>
        <Textarea id="run-config" name="config" rows={Math.min(16, Math.max(entry ? 6 : 3, config.split("\n").length + 1))} value={config} onChange={(e) => setConfig(e.target.value)} className="font-mono" error={errors.config} />
      </div>
      {entry ? <ConfigHelp kind={kind} entry={entry} /> : null}
      <div className="flex items-center gap-3 sm:col-span-3">
        <Button type="submit" disabled={pending}>
          Start run
        </Button>
        {state && !state.ok ? (
          <p role="alert" className="text-sm text-red-700">
            {state.error}
          </p>
        ) : null}
        {/* Seen for a moment before the script opens the run's page (a form the browser posted itself is redirected there). */}
        {state?.ok ? (
          <p role="status" className="text-sm text-slate-700">
            Run started:{" "}
            <Link href={`/research/runs/${state.data.id}`} className="underline">
              open its page
            </Link>
          </p>
        ) : null}
      </div>
    </form>
  );
}

/** Every key of a kind's config with its default and meaning: the table `npm run trainer -- <kind> --help` prints. */
function ConfigHelp({ kind, entry }: { kind: string; entry: RunConfigCatalog[string] }) {
  return (
    <details className="sm:col-span-3" data-testid="config-help">
      <summary className="cursor-pointer text-sm text-slate-700 pointer-coarse:py-3">
        {Object.keys(entry.options).length} options of {kind} runs, with their defaults
      </summary>
      <table className="mt-2 w-full text-left text-xs">
        <thead className="text-slate-500">
          <tr>
            <th className="py-1 pr-3 font-medium">key</th>
            <th className="py-1 pr-3 font-medium">default</th>
            <th className="py-1 font-medium">meaning</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(entry.options).map(([key, o]) => (
            <tr key={key} className="border-t border-slate-100 align-top">
              <td className="py-1 pr-3 font-mono">{key}</td>
              <td className="py-1 pr-3 font-mono">{JSON.stringify(jsonDefault(o.default))}</td>
              <td className="py-1">
                {o.help}
                {o.rule ? <span className="text-slate-500"> ({describeRule(o.rule)})</span> : null}
              </td>
            </tr>
          ))}
          {Object.entries(entry.extra).map(([key, help]) => (
            <tr key={key} className="border-t border-slate-100 align-top">
              <td className="py-1 pr-3 font-mono">{key}</td>
              <td className="py-1 pr-3 text-slate-500">-</td>
              <td className="py-1">{help}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
