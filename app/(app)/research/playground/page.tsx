import type { Metadata } from "next";
import Link from "next/link";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { inlineTapTarget } from "@/app/_components/ui/tap-target";
import { requireRole } from "@/lib/auth/guard";
import { listCheckpoints } from "@/lib/checkpoints/registry";
import { samplingKinds } from "@/lib/runs/playground";
import { PlaygroundForm } from "./playground-form";

export const metadata: Metadata = { title: "Playground" };

export default async function PlaygroundPage() {
  await requireRole("researcher", "admin");
  const checkpoints = await listCheckpoints(); // newest first
  const samplers = checkpoints.filter((c) => samplingKinds.includes(c.kind));
  const rewards = checkpoints.filter((c) => c.kind === "reward");
  // By default the newest policy (else SFT model) against the newest SFT model (else another checkpoint).
  const first = samplers.find((c) => c.kind === "policy") ?? samplers.find((c) => c.kind === "sft") ?? samplers[0];
  const second = samplers.find((c) => c.kind === "sft" && c.id !== first?.id) ?? samplers.find((c) => c.id !== first?.id) ?? first;
  const option = (c: (typeof checkpoints)[number]) => ({ id: c.id, label: `${c.kind} · ${c.name}` });
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Playground</h1>
      <Card>
        <CardHeader>
          <CardTitle>Two checkpoints, one prompt</CardTitle>
          <CardDescription>
            Both checkpoints answer the prompt through the same template the SFT data was trained on, with the same temperature, length and seed; a reward model, when you
            pick one, scores each answer. A trainer worker does the sampling, so it waits for a free worker.
          </CardDescription>
        </CardHeader>
        <CardContent>
          {samplers.length === 0 ? (
            <p className="text-sm text-slate-600">
              No checkpoint to sample from yet. Base, SFT and policy checkpoints appear here once they are registered (npm start installs the demo models).
            </p>
          ) : (
            <>
              {rewards.length === 0 ? (
                <p className="mb-4 text-sm text-slate-600">
                  No reward model yet, so the answers come back unscored. Train one on a labeled snapshot on{" "}
                  <Link className={`underline ${inlineTapTarget}`} href="/research/runs">
                    the Runs page
                  </Link>{" "}
                  (kind reward); it appears here when the run succeeds.
                </p>
              ) : null}
              <PlaygroundForm samplers={samplers.map(option)} rewards={rewards.map(option)} defaults={{ first: first!.id, second: second!.id, reward: rewards[0]?.id ?? "" }} />
            </>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
