"use client";
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { NativeSelect } from "@/app/_components/ui/input";
import { Label } from "@/app/_components/ui/label";
import { startRunAction } from "./actions";

type Option = { id: string; label: string };

export function StartRunForm({ kinds, snapshots, checkpoints }: { kinds: Record<string, string>; snapshots: Option[]; checkpoints: Option[] }) {
  const router = useRouter();
  const [state, action, pending] = useActionState(startRunAction, null);
  const [kind, setKind] = useState("reward");
  useEffect(() => {
    if (state?.ok) router.push(`/research/runs/${state.data.id}`);
  }, [state, router]);
  return (
    <form action={action} className="grid gap-3 sm:grid-cols-3">
      <div className="flex flex-col gap-1">
        <Label htmlFor="run-kind">Kind</Label>
        <NativeSelect id="run-kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
          {Object.keys(kinds).map((k) => (
            <option key={k}>{k}</option>
          ))}
        </NativeSelect>
        <p className="text-xs text-slate-500">{kinds[kind]}</p>
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="run-snapshot">Dataset snapshot</Label>
        <NativeSelect id="run-snapshot" name="snapshotId" defaultValue={snapshots[0]?.id ?? ""}>
          <option value="">none</option>
          {snapshots.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="run-parent">Start from checkpoint</Label>
        <NativeSelect id="run-parent" name="parentCheckpointId" defaultValue={checkpoints[0]?.id ?? ""}>
          <option value="">none</option>
          {checkpoints.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="flex flex-col gap-1 sm:col-span-3">
        <Label htmlFor="run-config">Config (JSON; every key and its default: npm run trainer -- {kind} --help)</Label>
        <textarea id="run-config" name="config" rows={3} defaultValue="{}" className="rounded-md border border-slate-300 p-2 font-mono text-sm" />
      </div>
      <div className="flex items-center gap-3 sm:col-span-3">
        <Button type="submit" disabled={pending}>
          Start run
        </Button>
        {state && !state.ok ? (
          <p role="alert" className="text-sm text-red-700">
            {state.error}
          </p>
        ) : null}
      </div>
    </form>
  );
}
