"use client";
import { useRef, useState, useSyncExternalStore } from "react";
import { Button } from "@/app/_components/ui/button";
import { Input } from "@/app/_components/ui/input";
import type { IssuedLink } from "./actions";

const noSubscription = () => () => {};

/** A freshly made one-time link with a copy button; the token is shown only here, once. */
export function IssuedLinkBox({ link, label }: { link: IssuedLink; label: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  // The origin the admin is looking at is the one the recipient can reach.
  const origin = useSyncExternalStore(noSubscription, () => window.location.origin, () => "");
  const url = origin + link.path;

  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
      setCopied("yes");
    } catch {
      // Clipboard access needs HTTPS or localhost; select the text for a manual copy instead.
      input.current?.select();
      setCopied("failed");
    }
  }

  return (
    <div className="flex flex-col gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
      <p className="font-medium">
        {label} for {link.email}: works once, for {link.lifetime}. Copy it now; it will not be shown again.
      </p>
      <div className="flex gap-2">
        <Input ref={input} readOnly value={url} aria-label={label} className="font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
        <Button type="button" variant="outline" onClick={copy}>
          Copy link
        </Button>
      </div>
      {copied === "yes" ? <p className="text-emerald-700">Copied.</p> : null}
      {copied === "failed" ? (
        <p className="text-slate-600">
          The browser did not allow copying; the link is selected, <span className="pointer-coarse:hidden">press Ctrl+C.</span>
          {/* No keys on a touch screen: holding a finger on selected text offers Copy there. */}
          <span className="hidden pointer-coarse:inline">touch and hold it to copy it.</span>
        </p>
      ) : null}
    </div>
  );
}
