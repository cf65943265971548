import { runProgressText } from "@/lib/runs/eta";
import type { RunDto } from "@/lib/runs/schema";

/** "12/84 steps · about 3 min left" for a running run; how it is estimated is said beside it (the runs table's header, the run page's note). */
export function RunEta({ run }: { run: Pick<RunDto, "kind" | "status" | "progress" | "eta"> }) {
  const text = runProgressText(run);
  if (!text) return null;
  return (
    <span className="text-xs text-slate-500" data-testid="run-eta">
      {text}
    </span>
  );
}
