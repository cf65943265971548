import type { ReactNode } from "react";

/**
 * A short label whose explanation opens under it on a tap, a click, Enter or Space, where the text
 * itself would not fit (a table's header or cell). A details element, so it needs no script, and
 * unlike a hover tooltip (`title`) a touch screen can open it; its summary is 44 px tall there.
 */
export function Explained({ label, children, className }: { label: ReactNode; children: ReactNode; className?: string }) {
  return (
    <details className={className}>
      {/* On one line: in a narrow table column the label would otherwise go under its ▸. */}
      <summary className="cursor-pointer whitespace-nowrap marker:text-slate-400 pointer-coarse:py-3.5">{label}</summary>
      <div className="mt-1 max-w-xs whitespace-normal text-xs font-normal text-slate-600">{children}</div>
    </details>
  );
}
