"use client";
import Link from "next/link";
import { Button } from "@/app/_components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { tapTarget } from "@/app/_components/ui/tap-target";
import { digestOf } from "@/lib/error-digest";


/**
 * What an error boundary shows: a fixed, safe message (never the error's own message, which
 * may hold SQL or paths), the digest the server logged the cause under, and a retry that
 * fetches the page from the server again.
 */
export function ErrorNotice({ error, retry }: { error: unknown; retry: () => void }) {
  const reference = digestOf(error);
  return (
    <Card role="alert" aria-labelledby="error-title" className="mx-auto max-w-xl">
      <CardHeader>
        <CardTitle id="error-title">Something went wrong</CardTitle>
        <CardDescription>This page could not be shown. It may be a passing problem, such as the database restarting: try again in a moment.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {reference ? (
          <p className="text-sm text-slate-600">
            If it keeps happening, tell your admin this reference: <code data-testid="error-reference" className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-slate-900">{reference}</code>
          </p>
        ) : null}
        <div className="flex items-center gap-4">
          <Button type="button" onClick={retry}>
            Try again
          </Button>
          <Link className={`text-sm underline ${tapTarget}`} href="/">
            Go to your home page
          </Link>
        </div>
      </CardContent>
    </Card>
  );
}
