import type { Metadata } from "next";
import { githubEnabled } from "@/lib/auth/options";
import { safeCallbackPath, signInErrorMessage } from "@/lib/auth/signin-page";
import { SignInForm } from "./signin-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string | string[]; callbackUrl?: string | string[] }> }) {
  const { error, callbackUrl } = await searchParams;
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm">
        <h1 className="mb-1 text-2xl font-semibold">Pairwise</h1>
        <p className="mb-6 text-sm text-slate-500">Sign in to label, train and export.</p>
        <SignInForm
          github={githubEnabled}
          initialError={signInErrorMessage(error)}
          callbackUrl={safeCallbackPath(callbackUrl)}
        />
      </div>
    </main>
  );
}
