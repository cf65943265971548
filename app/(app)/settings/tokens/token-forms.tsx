"use client";
import { useActionState, useTransition } from "react";
import { submitKeepingInput, useClearedOnSuccess } from "@/app/_components/submit-keeping-input";
import { Button } from "@/app/_components/ui/button";
import { fieldErrorsOf, Input } from "@/app/_components/ui/input";
import { Label } from "@/app/_components/ui/label";
import { createTokenAction, revokeTokenAction } from "./actions";

export function CreateTokenForm() {
  const [state, action, pending] = useActionState(createTokenAction, null);
  const form = useClearedOnSuccess(state);
  return (
    <div className="flex flex-col gap-3">
      <form ref={form} action={action} onSubmit={submitKeepingInput(action)} className="flex items-end gap-3">
        <div className="flex flex-col gap-1">
          <Label htmlFor="token-name">Name</Label>
          <Input id="token-name" name="name" placeholder="e.g. training laptop" required error={fieldErrorsOf(state).name} />
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
