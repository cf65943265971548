"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/app/_components/ui/cn";

/**
 * The header's links, the current section marked (aria-current="page") for screen readers and by
 * weight on screen: the link whose path is the longest prefix of the page's, so /research/runs/x
 * marks Runs, not Research.
 */
export function MainNav({ links }: { links: ReadonlyArray<{ href: string; label: string }> }) {
  const pathname = usePathname();
  const current = links
    .filter((l) => pathname === l.href || pathname.startsWith(`${l.href}/`))
    .reduce<string | null>((best, l) => (best === null || l.href.length > best.length ? l.href : best), null);
  return (
    // In the narrow screens' menu, a grid of links as tall as a fingertip; from lg up, a wrapping row,
    // still a fingertip's size on a touch screen (a tablet held sideways).
    <nav aria-label="Main" className="grid grid-cols-2 gap-x-4 text-sm sm:grid-cols-3 lg:flex lg:flex-wrap lg:gap-y-1">
      {links.map((l) => (
        <Link
          key={l.href}
          href={l.href}
          aria-current={l.href === current ? "page" : undefined}
          className={cn("flex min-h-11 items-center hover:text-slate-900 lg:pointer-coarse:min-w-11 lg:pointer-coarse:justify-center lg:pointer-fine:inline lg:pointer-fine:min-h-0", l.href === current ? "font-medium text-slate-900" : "text-slate-600")}
        >
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
