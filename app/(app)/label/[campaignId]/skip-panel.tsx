"use client";
import { useEffect, useRef, useState } from "react";
import { Button } from "@/app/_components/ui/button";
import { cn } from "@/app/_components/ui/cn";
import { choiceLabel } from "@/app/_components/ui/tap-target";
import { skipReasonValues, type SkipReason } from "@/db/values";

const reasonLabels: Record<SkipReason, string> = {
  unclear_prompt: "Unclear prompt",
  cant_judge: "I can't judge this",
  offensive: "Offensive content",
  other: "Other",
};

/** Asks why a pair is skipped: keys 1-4 pick a reason, Enter confirms, Esc cancels. */
export function SkipPanel({ onSkip, onCancel }: { onSkip: (reason: SkipReason, text: string | null) => void; onCancel: () => void }) {
  const [reason, setReason] = useState<SkipReason>("cant_judge");
  const [text, setText] = useState("");
  const [missingText, setMissingText] = useState(false);
  const panel = useRef<HTMLFormElement>(null);
  const otherText = useRef<HTMLInputElement>(null);
  useEffect(() => panel.current?.querySelector<HTMLInputElement>("input:checked")?.focus(), []);
  // "Other" asks for words: the cursor goes where they are typed.
  useEffect(() => {
    if (reason === "other") otherText.current?.focus();
  }, [reason]);

  return (
    <form
      ref={panel}
      aria-label="Skip this pair"
      className="flex flex-col gap-2 rounded-lg border border-amber-300 bg-amber-50 p-4"
      onSubmit={(e) => {
        e.preventDefault();
        if (reason === "other" && !text.trim()) {
          setMissingText(true);
          otherText.current?.focus();
          return;
        }
        onSkip(reason, text.trim() || null);
      }}
      onKeyDown={(e) => {
        const n = Number(e.key);
        if (e.key === "Escape") onCancel();
        else if (n >= 1 && n <= 4 && (e.target as HTMLInputElement).type !== "text") {
          e.preventDefault();
          setReason(skipReasonValues[n - 1]!);
        }
      }}
    >
      <fieldset className="flex flex-col gap-1">
        <legend className="mb-1 text-sm font-medium">
          Why skip?<span className="pointer-coarse:hidden"> (1-4, Enter to confirm, Esc to cancel)</span>
        </legend>
        {skipReasonValues.map((r, i) => (
          <label key={r} className={cn(choiceLabel, "text-sm")}>
            <input type="radio" name="reason" value={r} checked={reason === r} onChange={() => setReason(r)} />
            {i + 1}. {reasonLabels[r]}
          </label>
        ))}
      </fieldset>
      {reason === "other" ? (
        <>
          <input
            ref={otherText}
            aria-label="Reason"
            aria-invalid={missingText || undefined}
            aria-describedby={missingText ? "skip-reason-missing" : undefined}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setMissingText(false);
            }}
            className="rounded-md border border-slate-300 px-2 py-1 text-sm pointer-coarse:min-h-11 pointer-coarse:text-base"
          />
          {missingText ? (
            <p id="skip-reason-missing" role="alert" className="text-sm text-red-700">
              Say in a few words why you skip it.
            </p>
          ) : null}
        </>
      ) : null}
      <div className="flex gap-2">
        <Button type="submit" size="sm">
          Skip pair
        </Button>
        <Button type="button" size="sm" variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
