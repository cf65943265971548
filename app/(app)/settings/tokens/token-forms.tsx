"use client";
import { useActionState, useTransition } from "react";
import { useSentBack } from "@/app/_components/sent-back";
import { submitKeepingInput, useClearedOnSuccess } from "@/app/_components/submit-keeping-input";
import { Button } from "@/app/_components/ui/button";
import { fieldErrorsOf, Input } from "@/app/_components/ui/input";
import { Label } from "@/app/_components/ui/label";
import { createTokenAction, revokeTokenAction } from "./actions";

/** `created`: the token the form made when the browser posted it itself, shown once after its redirect (lib/forms/form-action.ts). */
export function CreateTokenForm({ created }: { created: { ok: true; data: { token: string } } | null }) {
  const [state, action, pending] = useActionState(createTokenAction, created);
  const form = useClearedOnSuccess(state);
  // The name; a token is never sent, only made.
  const sent = useSentBack(state);
  return (
    <div className="flex flex-col gap-3">
      <form ref={form} action={action} onSubmit={submitKeepingInput(action)} className="flex items-end gap-3">
        <div className="flex flex-col gap-1">
          <Label htmlFor="token-name">Name</Label>
          <Input id="token-name" name="name" placeholder="e.g. training laptop" required defaultValue={sent.value("name", "")} error={fieldErrorsOf(state).name} />
        </div>
        <Button type="submit" disabled={pending}>
          Create token
        </Button>
      </form>
      {state && !state.ok ? (
        <p role="alert" className="text-sm text-red-700">
          {state.error}
        </p>
      ) : null}
      {state?.ok ? (
        <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
          <p className="mb-1 font-medium">Copy it now; it will not be shown again.</p>
          <code data-testid="new-token" className="break-all font-mono">
            {state.data.token}
          </code>
        </div>
      ) : null}
    </div>
  );
}

export function RevokeTokenButton({ tokenId, name }: { tokenId: string; name: string }) {
  const [pending, startTransition] = useTransition();
  return (
    <Button
      variant="destructive"
      size="sm"
      disabled={pending}
      aria-label={`Revoke ${name}`}
      onClick={() => startTransition(async () => void (await revokeTokenAction(tokenId)))}
    >
      Revoke
    </Button>
  );
}
