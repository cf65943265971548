import Link from "next/link";
import type { ReactNode } from "react";
import { tapTarget } from "@/app/_components/ui/tap-target";
import { linkProblem, type LinkState } from "@/lib/users/account-links";
import { SetPasswordForm } from "./set-password-form";

/** The shared body of the invite and reset pages: the form for a usable link, else why not. */
export function LinkPage({ heading, intro, link, token }: { heading: string; intro: ReactNode; link: LinkState; token: string }) {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm">
        <h1 className="mb-1 text-2xl font-semibold">{heading}</h1>
        {link.state !== "valid" ? (
          <div className="mt-4 flex flex-col gap-4">
            <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
              {linkProblem(link)}
            </p>
            <Link className={`text-sm underline ${tapTarget}`} href="/signin">
              Go to sign-in
            </Link>
          </div>
        ) : (
          <>
            <p className="mb-6 text-sm text-slate-500">{intro}</p>
            <SetPasswordForm mode={link.kind === "invite" ? "invite" : "reset"} token={token} email={link.email} />
          </>
        )}
      </div>
    </main>
  );
}
