"use client";
import { useActionState } from "react";
import { useSentBack } from "@/app/_components/sent-back";
import { submitKeepingInput, useClearedOnSuccess } from "@/app/_components/submit-keeping-input";
import { Button } from "@/app/_components/ui/button";
import { fieldErrorsOf, Input, NativeSelect } from "@/app/_components/ui/input";
import { Label } from "@/app/_components/ui/label";
import { ValueOptions } from "@/app/_components/ui/value-options";
import { roleValues } from "@/db/values";
import { createInviteAction, type IssuedLink } from "./actions";
import { IssuedLinkBox } from "./issued-link";

/** `issued`: the link the form made when the browser posted it itself, shown once after its redirect (lib/forms/form-action.ts). */
export function InviteForm({ issued }: { issued: { ok: true; data: IssuedLink } | null }) {
  const [state, action, pending] = useActionState(createInviteAction, issued);
  const form = useClearedOnSuccess(state);
  const sent = useSentBack(state);
  const errors = fieldErrorsOf(state);
  return (
    <div className="flex flex-col gap-3">
      <form ref={form} action={action} onSubmit={submitKeepingInput(action)} className="grid grid-cols-1 gap-3 sm:grid-cols-5 sm:items-end">
        <div className="flex flex-col gap-1 sm:col-span-2">
          <Label htmlFor="invite-email">Email to invite</Label>
          <Input id="invite-email" name="email" type="email" required defaultValue={sent.value("email", "")} error={errors.email ?? errors.user_email} />
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="invite-role">Invite as</Label>
          <NativeSelect id="invite-role" name="role" defaultValue={sent.value("role", "labeler")} error={errors.role}>
            <ValueOptions values={roleValues} />
          </NativeSelect>
        </div>
        <div className="sm:col-span-2">
          <Button type="submit" disabled={pending}>
            Create invite link
          </Button>
        </div>
      </form>
      {state && !state.ok ? (
        <p role="alert" className="text-sm text-red-700">
          {state.error}
        </p>
      ) : null}
      {state?.ok ? <IssuedLinkBox key={state.data.path} link={state.data} label="Invite link" /> : null}
    </div>
  );
}
