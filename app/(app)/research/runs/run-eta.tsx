import { formatEta } from "@/lib/runs/eta";
import type { RunDto } from "@/lib/runs/schema";

/** "12/84 steps · about 3 min left" for a running run; how it is estimated is said beside it (the runs table's header, the run page's note). */
export function RunEta({ run }: { run: Pick<RunDto, "status" | "progress" | "eta"> }) {
  if (run.status !== "running") return null;
  const steps = run.progress ? `${run.progress.done}/${run.progress.total} steps` : null;
  const eta = run.eta ? formatEta(run.eta.seconds) : run.progress ? "estimating…" : null;
  if (!steps && !eta) return null;
  return (
    <span className="text-xs text-slate-500" data-testid="run-eta">
      {[steps, eta].filter(Boolean).join(" · ")}
    </span>
  );
}
