"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";
import { useSentBack } from "@/app/_components/sent-back";
import { submitKeepingInput } from "@/app/_components/submit-keeping-input";
import { Button } from "@/app/_components/ui/button";
import { fieldErrorsOf, Input, NativeSelect, Textarea } from "@/app/_components/ui/input";
import { Label } from "@/app/_components/ui/label";
import { choiceLabel } from "@/app/_components/ui/tap-target";
import { ValueOptions } from "@/app/_components/ui/value-options";
import { campaignOrderingValues, campaignStatusValues, rationaleModeValues, type CampaignOrdering, type CampaignStatus } from "@/db/values";
import type { CampaignSettings } from "@/lib/campaigns/schema";
import { saveCampaignAction } from "./actions";

export type CampaignFormValues = {
  id: string | null;
  name: string;
  guidelines: string;
  overlap: number;
  status: CampaignStatus;
  settings: CampaignSettings;
  labelerIds: string[];
};

const field = "flex flex-col gap-1";

const orderingLabels: Record<CampaignOrdering, string> = {
  "finish-first": "finish-first (closest to done)",
  spread: "spread (fewest judgments)",
};

/** `saved`: the campaign's save when the browser posted the form itself, shown after its redirect (lib/forms/form-action.ts). */
export function CampaignForm({ values, labelers, saved = null }: { values: CampaignFormValues; labelers: { id: string; email: string }[]; saved?: { ok: true; data: { id: string } } | null }) {
  const router = useRouter();
  const [state, action, pending] = useActionState(saveCampaignAction, saved);
  // A refusal of a form the browser posted itself brings back every field as sent, over the campaign's values.
  const sent = useSentBack(state);
  useEffect(() => {
    if (state?.ok && !values.id) router.push(`/research/campaigns/${state.data.id}`);
  }, [state, values.id, router]);
  const s = values.settings;
  const errors = fieldErrorsOf(state);
  return (
    <form action={action} onSubmit={submitKeepingInput(action)} className="grid grid-cols-1 gap-4 sm:grid-cols-4">
      {values.id ? <input type="hidden" name="campaignId" value={values.id} /> : null}
      <div className={`${field} sm:col-span-2`}>
        <Label htmlFor="c-name">Name</Label>
        <Input id="c-name" name="name" defaultValue={sent.value("name", values.name)} required error={errors.name} />
      </div>
      <div className={field}>
        <Label htmlFor="c-status">Status</Label>
        <NativeSelect id="c-status" name="status" defaultValue={sent.value("status", values.status)} error={errors.status}>
          <ValueOptions values={campaignStatusValues} />
        </NativeSelect>
      </div>
      <div className={field}>
        <Label htmlFor="c-overlap">Judgments per pair</Label>
        <Input id="c-overlap" name="overlap" type="number" min={1} max={20} defaultValue={sent.value("overlap", String(values.overlap))} error={errors.overlap} />
      </div>
      <div className={`${field} sm:col-span-4`}>
        <Label htmlFor="c-guidelines">Guidelines (markdown)</Label>
        <Textarea id="c-guidelines" name="guidelines" rows={5} defaultValue={sent.value("guidelines", values.guidelines)} error={errors.guidelines} />
      </div>
      <fieldset className="flex flex-wrap gap-4 text-sm sm:col-span-4">
        <legend className="mb-1 text-sm font-medium">Choices</legend>
        <label className={choiceLabel}>
          <input type="checkbox" name="allowTie" defaultChecked={sent.checked("allowTie", s.allowTie)} /> Allow tie
        </label>
        <label className={choiceLabel}>
          <input type="checkbox" name="allowBothBad" defaultChecked={sent.checked("allowBothBad", s.allowBothBad)} /> Allow both bad
        </label>
        <label className={choiceLabel}>
          <input type="checkbox" name="askStrength" defaultChecked={sent.checked("askStrength", s.askStrength)} /> Ask strength (4 points)
        </label>
      </fieldset>
      <div className={field}>
        <Label htmlFor="c-rationale">Rationale</Label>
        <NativeSelect id="c-rationale" name="rationale" defaultValue={sent.value("rationale", s.rationale)} error={errors.rationale}>
          <ValueOptions values={rationaleModeValues} />
        </NativeSelect>
      </div>
      <div className={field}>
        <Label htmlFor="c-ordering">Ordering</Label>
        <NativeSelect id="c-ordering" name="ordering" defaultValue={sent.value("ordering", s.ordering)} error={errors.ordering}>
          <ValueOptions values={campaignOrderingValues} labels={orderingLabels} />
        </NativeSelect>
      </div>
      <div className={field}>
        <Label htmlFor="c-gold">Gold rate (0–0.5)</Label>
        <Input id="c-gold" name="goldRate" type="number" step="0.01" min={0} max={0.5} defaultValue={sent.value("goldRate", String(s.goldRate))} error={errors.goldRate} />
      </div>
      <div className={field}>
        <Label htmlFor="c-lease">Lease minutes</Label>
        <Input id="c-lease" name="leaseMinutes" type="number" min={1} defaultValue={sent.value("leaseMinutes", String(s.leaseMinutes))} error={errors.leaseMinutes} />
      </div>
      <div className={field}>
        <Label htmlFor="c-undo">Undo window (minutes)</Label>
        <Input id="c-undo" name="undoMinutes" type="number" min={0} defaultValue={sent.value("undoMinutes", String(s.undoMinutes))} error={errors.undoMinutes} />
      </div>
      <fieldset className="sm:col-span-4">
        <legend className="mb-1 text-sm font-medium">Labelers (none checked = every labeler)</legend>
        <div className="flex max-h-40 flex-wrap gap-3 overflow-y-auto text-sm">
          {labelers.map((l) => (
            <label key={l.id} className={choiceLabel}>
              <input type="checkbox" name="labelerIds" value={l.id} defaultChecked={sent.checked("labelerIds", values.labelerIds.includes(l.id), l.id)} /> {l.email}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="flex items-center gap-3 sm:col-span-4">
        <Button type="submit" disabled={pending}>
          {values.id ? "Save campaign" : "Create campaign"}
        </Button>
        {state && !state.ok ? (
          <p role="alert" className="text-sm text-red-700">
            {state.error}
          </p>
        ) : null}
        {state?.ok && values.id ? <p className="text-sm text-emerald-700">Saved.</p> : null}
        {/* Seen for a moment before the script opens the new campaign's page (a form the browser posted itself is redirected there). */}
        {state?.ok && !values.id ? (
          <p role="status" className="text-sm text-emerald-700">
            Created:{" "}
            <Link href={`/research/campaigns/${state.data.id}`} className="underline">
              open it
            </Link>
          </p>
        ) : null}
      </div>
    </form>
  );
}
