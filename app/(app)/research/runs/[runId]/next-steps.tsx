import Link from "next/link";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { cn } from "@/app/_components/ui/cn";
import { tapTarget } from "@/app/_components/ui/tap-target";
import type { NextStep } from "@/lib/runs/next-steps";

/** Links to the runs form, filled in for what usually comes after this run (lib/runs/next-steps.ts). */
export function NextSteps({ steps }: { steps: NextStep[] }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Next steps</CardTitle>
        <CardDescription>Each opens the runs form filled in; check the config, then start it.</CardDescription>
      </CardHeader>
      <CardContent>
        <ul className="flex flex-col gap-2 text-sm">
          {steps.map((s) => (
            <li key={s.href}>
              <Link className={cn("font-medium underline", tapTarget)} href={s.href}>
                {s.label}
              </Link>{" "}
              <span className="text-slate-500">· {s.description}</span>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}
