"use client";
import { useActionState } from "react";
import { useSentBack } from "@/app/_components/sent-back";
import { submitKeepingInput, useClearedOnSuccess } from "@/app/_components/submit-keeping-input";
import { Button } from "@/app/_components/ui/button";
import { fieldErrorsOf, Input, NativeSelect } from "@/app/_components/ui/input";
import { Label } from "@/app/_components/ui/label";
import { ValueOptions } from "@/app/_components/ui/value-options";
import { roleValues } from "@/db/values";
import { createUserAction } from "./actions";

/** `added`: the user the form added when the browser posted it itself, shown after its redirect (lib/forms/form-action.ts). */
export function CreateUserForm({ added }: { added: { ok: true; data: { email: string } } | null }) {
  const [state, action, pending] = useActionState(createUserAction, added);
  const form = useClearedOnSuccess(state);
  // Never the password: the server leaves it out of what it sends back.
  const sent = useSentBack(state);
  const errors = fieldErrorsOf(state);
  return (
    <form ref={form} action={action} onSubmit={submitKeepingInput(action)} className="grid grid-cols-1 gap-3 sm:grid-cols-5 sm:items-end">
      <div className="flex flex-col gap-1 sm:col-span-2">
        <Label htmlFor="new-email">Email</Label>
        <Input id="new-email" name="email" type="email" required defaultValue={sent.value("email", "")} error={errors.email ?? errors.user_email} />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="new-name">Name</Label>
        <Input id="new-name" name="name" defaultValue={sent.value("name", "")} error={errors.name} />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="new-role">Role</Label>
        <NativeSelect id="new-role" name="role" defaultValue={sent.value("role", "labeler")} error={errors.role}>
          <ValueOptions values={roleValues} />
        </NativeSelect>
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="new-password">Password</Label>
        <Input id="new-password" name="password" type="password" minLength={10} required error={errors.password} />
      </div>
      <div className="sm:col-span-5 flex items-center gap-3">
        <Button type="submit" disabled={pending}>
          Add user
        </Button>
        {state && !state.ok ? (
          <p role="alert" className="text-sm text-red-700">
            {state.error}
          </p>
        ) : null}
        {state?.ok ? <p className="text-sm text-emerald-700">Added {state.data.email}.</p> : null}
      </div>
    </form>
  );
}
