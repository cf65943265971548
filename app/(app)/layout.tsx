import Link from "next/link";
import type { ReactNode } from "react";
import { tapTarget } from "@/app/_components/ui/tap-target";
import { requireUser } from "@/lib/auth/guard";
import { HeaderMenu } from "./header-menu";
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
        {/* Wider than the page: an admin has eleven links, which wrapped at 1280 px. Below lg they
            are behind a menu button (HeaderMenu), on a row of their own when it is open. */}
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-3 px-4 py-3 sm:px-6 lg:flex-nowrap lg:gap-y-6">
          <Link href="/" className={`font-semibold ${tapTarget}`}>
            Pairwise
          </Link>
          <HeaderMenu>
            <MainNav links={links[user.role]} />
            <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 pt-3 text-sm text-slate-600 lg:ml-auto lg:flex-nowrap lg:border-0 lg:pt-0">
              <span className="break-all lg:whitespace-nowrap lg:break-normal">
                {user.email} · <span data-testid="role">{user.role}</span>
              </span>
              <SignOutButton />
            </div>
          </HeaderMenu>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6">{children}</main>
    </div>
  );
}
