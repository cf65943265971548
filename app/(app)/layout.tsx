import Link from "next/link";
import type { ReactNode } from "react";
import { requireUser } from "@/lib/auth/guard";
import { MainNav } from "./main-nav";
import { SignOutButton } from "./sign-out-button";

const links = {
  labeler: [{ href: "/label", label: "Label" }],
  researcher: [
    { href: "/research", label: "Research" },
    { href: "/research/snapshots", label: "Snapshots" },
    { href: "/research/runs", label: "Runs" },
    { href: "/research/checkpoints", label: "Checkpoints" },
    { href: "/research/playground", label: "Playground" },
    { href: "/research/dashboard", label: "Dashboard" },
    { href: "/exports", label: "Exports" },
    { href: "/label", label: "Label" },
    { href: "/settings/tokens", label: "API tokens" },
  ],
  admin: [
    { href: "/admin", label: "Users" },
    { href: "/admin/audit", label: "Audit log" },
    { href: "/research", label: "Research" },
    { href: "/research/snapshots", label: "Snapshots" },
    { href: "/research/runs", label: "Runs" },
    { href: "/research/checkpoints", label: "Checkpoints" },
    { href: "/research/playground", label: "Playground" },
    { href: "/research/dashboard", label: "Dashboard" },
    { href: "/exports", label: "Exports" },
    { href: "/label", label: "Label" },
    { href: "/settings/tokens", label: "API tokens" },
  ],
} as const;

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        {/* Wider than the page: an admin has eleven links, which wrapped at 1280 px. */}
        <div className="mx-auto flex max-w-7xl items-center gap-6 px-6 py-3">
          <Link href="/" className="font-semibold">
            Pairwise
          </Link>
          <MainNav links={links[user.role]} />
          <div className="ml-auto flex items-center gap-3 text-sm text-slate-600">
            <span className="whitespace-nowrap">
              {user.email} · <span data-testid="role">{user.role}</span>
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
    </div>
  );
}
