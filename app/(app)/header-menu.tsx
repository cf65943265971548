"use client";
import { usePathname } from "next/navigation";
import { useRef, useState, type ReactNode } from "react";
import { Button } from "@/app/_components/ui/button";
import { cn } from "@/app/_components/ui/cn";

/**
 * The header's links and account below the lg breakpoint, where an admin's eleven links do not
 * fit beside the address: behind a "Menu" button (a disclosure, opened by a tap, Enter or
 * Space; Esc closes it and gives the button the focus back). It is open for the page it was
 * opened on, so following one of its links closes it. From lg up the wrapper has no box of its
 * own (display: contents) and its children sit in the header row as they always did.
 */
export function HeaderMenu({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const toggle = useRef<HTMLButtonElement>(null);
  return (
    <>
      <Button ref={toggle} variant="outline" className="ml-auto lg:hidden" aria-expanded={open} aria-controls="header-menu" onClick={() => setOpenOn(open ? null : pathname)}>
        Menu
      </Button>
      <div
        id="header-menu"
        className={cn(open ? "flex" : "hidden", "w-full flex-col gap-3 pb-1 lg:contents")}
        onKeyDown={(event) => {
          if (event.key !== "Escape") return;
          setOpenOn(null);
          toggle.current?.focus();
        }}
      >
        {children}
      </div>
    </>
  );
}
