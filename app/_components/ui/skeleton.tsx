import type { ComponentProps, ReactNode } from "react";
import { cn } from "./cn";

/** A grey block where content will be; hidden from screen readers, which hear the Busy region instead. */
export function Skeleton({ className, ...props }: ComponentProps<"div">) {
  return <div aria-hidden="true" className={cn("animate-pulse rounded-md bg-slate-200", className)} {...props} />;
}

/** The region that is still loading: announced by its label ("Loading runs") and marked busy. */
export function Busy({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <div role="status" aria-busy="true" aria-label={label} className={cn("flex flex-col gap-6", className)}>
      <span className="sr-only">{label}…</span>
      {children}
    </div>
  );
}

/** A card-shaped placeholder: a title bar and `lines` rows. */
export function SkeletonCard({ lines = 3, className }: { lines?: number; className?: string }) {
  return (
    <div aria-hidden="true" className={cn("flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm", className)}>
      <Skeleton className="h-5 w-40" />
      {Array.from({ length: lines }, (_, i) => (
        <Skeleton key={i} className={cn("h-4", i % 3 === 2 ? "w-2/3" : "w-full")} />
      ))}
    </div>
  );
}
