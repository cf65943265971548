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
    <nav aria-label="Main" className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
      {links.map((l) => (
        <Link
          key={l.href}
          href={l.href}
          aria-current={l.href === current ? "page" : undefined}
          className={cn("hover:text-slate-900", l.href === current ? "font-medium text-slate-900" : "text-slate-600")}
        >
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
