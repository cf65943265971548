import Link from "next/link";
import { Fragment } from "react";
import { cn } from "@/app/_components/ui/cn";
import { inlineTapTarget } from "@/app/_components/ui/tap-target";
import { configLines } from "./config-lines";

/**
 * The run's config as JSON, its campaign named and linked with its id beside it in plain sight (no
 * tooltip: a phone has no hover); rendered on the server, where the name is looked up (config-lines.ts).
 */
export function RunConfig({ config, campaign }: { config: Record<string, unknown>; campaign: { id: string; name: string } | null }) {
  return (
    <pre className="overflow-x-auto rounded bg-slate-50 p-2 text-xs" data-testid="run-config">
      {configLines(config, campaign).map((line, i) => (
        <Fragment key={i}>
          {i ? "\n" : ""}
          {"text" in line ? (
            line.text
          ) : (
            <>
              {line.before}
              <Link className={cn("underline", inlineTapTarget)} href={`/research/campaigns/${line.campaign.id}`}>
                {line.campaign.name}
              </Link>
              <span className="text-slate-500"> ({line.campaign.id})</span>
              {line.after}
            </>
          )}
        </Fragment>
      ))}
    </pre>
  );
}
