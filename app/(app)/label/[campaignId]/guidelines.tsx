"use client";
import { Markdown } from "@/app/_components/markdown";
import { Button } from "@/app/_components/ui/button";

export function Guidelines({ text, onClose }: { text: string; onClose: () => void }) {
  return (
    <aside role="dialog" aria-label="Guidelines" className="rounded-lg border border-slate-200 bg-white p-4 shadow">
      <div className="mb-2 flex items-center">
        <h2 className="font-semibold">Guidelines</h2>
        <Button variant="ghost" size="sm" className="ml-auto" onClick={onClose}>
          Close<span className="pointer-coarse:hidden"> (Esc)</span>
        </Button>
      </div>
      {text.trim() ? <Markdown>{text}</Markdown> : <p className="text-sm text-slate-600">This campaign has no written guidelines.</p>}
    </aside>
  );
}
