"use client";
import { signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/app/_components/ui/button";
import { Input } from "@/app/_components/ui/input";
import type { FieldErrors } from "@/lib/action-result";
import { Label } from "@/app/_components/ui/label";
import { inlineTapTarget } from "@/app/_components/ui/tap-target";
import { acceptInviteAction, resetPasswordAction } from "./actions";

/**
 * The invitee's or the resetting user's form. On success it signs them in with the password
 * they just chose and goes to their home page; if that sign-in fails, it links to sign-in.
 */
export function SetPasswordForm({ mode, token, email }: { mode: "invite" | "reset"; token: string; email: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [signInBy, setSignInBy] = useState(false);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    setFieldErrors({});
    const result = await (mode === "invite" ? acceptInviteAction : resetPasswordAction)(token, form);
    if (!result.ok) {
      setPending(false);
      setError(result.error);
      setFieldErrors(result.fieldErrors ?? {});
      return;
    }
    const signedIn = await signIn("credentials", { email: result.data.email, password: String(form.get("password")), redirect: false });
    setPending(false);
    if (!signedIn || signedIn.error) {
      setSignInBy(true);
      return;
    }
    router.replace("/");
    router.refresh();
  }

  if (signInBy) {
    return (
      <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
        {mode === "invite" ? "Your account is ready." : "Your password is changed."}{" "}
        <Link className={`underline ${inlineTapTarget}`} href="/signin">
          Sign in
        </Link>{" "}
        with {email} and your new password.
      </p>
    );
  }

  // method="post": a form submitted before the script has run is sent by the browser itself, and as a GET it would put the password in the URL.
  return (
    <form method="post" onSubmit={onSubmit} className="flex flex-col gap-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex flex-col gap-2">
        <Label htmlFor="account-email">Email</Label>
        <Input id="account-email" value={email} readOnly autoComplete="username" />
      </div>
      {mode === "invite" ? (
        <div className="flex flex-col gap-2">
          <Label htmlFor="account-name">Your name</Label>
          <Input id="account-name" name="name" autoComplete="name" required maxLength={200} autoFocus error={fieldErrors.name} />
        </div>
      ) : null}
      <div className="flex flex-col gap-2">
        <Label htmlFor="account-password">New password</Label>
        <Input id="account-password" name="password" type="password" autoComplete="new-password" minLength={10} maxLength={256} required error={fieldErrors.password} />
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor="account-confirm">Repeat the password</Label>
        <Input id="account-confirm" name="confirmPassword" type="password" autoComplete="new-password" minLength={10} maxLength={256} required error={fieldErrors.confirmPassword} />
      </div>
      <p className="text-xs text-slate-500">At least 10 characters.</p>
      {error ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : mode === "invite" ? "Create my account" : "Set new password"}
      </Button>
    </form>
  );
}
