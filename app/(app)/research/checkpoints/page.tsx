import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/app/_components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { cn } from "@/app/_components/ui/cn";
import { Explained } from "@/app/_components/ui/explained";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/ui/table";
import { inlineTapTarget, tapTarget } from "@/app/_components/ui/tap-target";
import { requireRole } from "@/lib/auth/guard";
import { headlineMetrics } from "@/lib/checkpoints/headline-metrics";
import { listCheckpoints } from "@/lib/checkpoints/registry";
import { readsScoreAtEndOfText } from "@/lib/checkpoints/schema";
import { checkpointNextStep } from "@/lib/runs/next-steps";
import { ImportCheckpoint } from "./import-checkpoint";

export const metadata: Metadata = { title: "Checkpoints" };

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** What a researcher types to use an unpacked download in Python (docs/trainer.md, "In Python"). */
const PYTHON_USE = `from transformers import AutoTokenizer, AutoModelForCausalLM, AutoModelForSequenceClassification
tok = AutoTokenizer.from_pretrained("demo-sft")
lm = AutoModelForCausalLM.from_pretrained("demo-sft")               # base, sft, policy
rm = AutoModelForSequenceClassification.from_pretrained("demo-rm")  # reward
text = "User: Define: harbor\\nAssistant: A sheltered port.<|endoftext|>"
score = rm(**tok(text, return_tensors="pt")).logits[0, 0].item()`;

/** The usual next run from this checkpoint, as a link to the runs form filled in, and what that run is under it. */
function NextStepLink({ checkpoint }: { checkpoint: Parameters<typeof checkpointNextStep>[0] & { id: string; name: string } }) {
  const step = checkpointNextStep(checkpoint);
  if (!step) return "—";
  const described = `next-step-${checkpoint.id}`;
  return (
    <>
      <Link className={cn("underline", tapTarget)} href={step.href} aria-label={`${step.label}: ${checkpoint.name}`} aria-describedby={described}>
        {step.label}
      </Link>
      <span id={described} className="block max-w-48 text-slate-500">
        {step.description}
      </span>
    </>
  );
}

export default async function CheckpointsPage() {
  await requireRole("researcher", "admin");
  const checkpoints = await listCheckpoints();
  const nameOf = new Map(checkpoints.map((c) => [c.id, c.name]));
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Checkpoints</h1>
      <Card>
        <CardHeader>
          <CardTitle>All checkpoints</CardTitle>
          <CardDescription>
            Each downloads as a zip (or a tar) of one folder in Hugging Face&apos;s GPT-2 layout (model.safetensors, config.json, tokenizer.json, tokenizer_config.json), which
            transformers loads as it is, plus pairwise.json with its lineage and training config. Compare two of them on one prompt in the{" "}
            <Link className={cn("underline", inlineTapTarget)} href="/research/playground">
              playground
            </Link>
            .
          </CardDescription>
        </CardHeader>
        <CardContent>
          <Table>
            <THead>
              <Tr>
                <Th>Name</Th>
                <Th>Kind</Th>
                <Th>Parent</Th>
                <Th>Run</Th>
                <Th>Parameters</Th>
                <Th>Size</Th>
                <Th>Metrics</Th>
                <Th>Next</Th>
                <Th />
              </Tr>
            </THead>
            <TBody>
              {checkpoints.map((c) => (
                <Tr key={c.id}>
                  <Td className="font-mono text-xs">{c.name}</Td>
                  <Td>
                    <Badge>{c.kind}</Badge>
                    {readsScoreAtEndOfText(c) ? (
                      <Explained className="text-xs text-amber-700" label="reads at end-of-text">
                        Trained to read its score at the end-of-text token (an earlier release, or OpenRLHF). Pairwise reads it there; transformers reads one token earlier, so
                        retrain it to use it in Python.
                      </Explained>
                    ) : null}
                  </Td>
                  <Td className="font-mono text-xs">{c.parentId ? (nameOf.get(c.parentId) ?? c.parentId.slice(0, 8)) : "—"}</Td>
                  <Td>
                    {c.runId ? (
                      <Link className={cn("font-mono text-xs underline", tapTarget)} href={`/research/runs/${c.runId}`}>
                        {c.runId.slice(0, 8)}
                      </Link>
                    ) : (
                      "—"
                    )}
                  </Td>
                  <Td>{c.paramCount.toLocaleString("en")}</Td>
                  <Td className="whitespace-nowrap">{mb(c.sizeBytes)}</Td>
                  <Td className="max-w-xs truncate text-xs">
                    {headlineMetrics(c.kind, c.metrics)
                      .map(([k, v]) => `${k} ${v}`)
                      .join(" · ")}
                  </Td>
                  <Td className="text-xs">
                    <NextStepLink checkpoint={c} />
                  </Td>
                  <Td className="whitespace-nowrap">
                    <a className={cn("inline-flex min-h-6 items-center underline", tapTarget)} href={`/api/v1/checkpoints/${c.id}/download?format=zip`} aria-label={`Download ${c.name} as zip`}>
                      Download
                    </a>{" "}
                    <a className={cn("ml-1 inline-flex min-h-6 min-w-6 items-center justify-center text-slate-600 underline", tapTarget)} href={`/api/v1/checkpoints/${c.id}/download?format=tar`} aria-label={`Download ${c.name} as tar`}>
                      tar
                    </a>
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Import a checkpoint</CardTitle>
          <CardDescription>
            A GPT-2-family folder, trained in Python or downloaded here: pick the folder, or its model.safetensors, config.json and tokenizer.json; only those three are sent
            (1 GB at most). A one-label score head (GPT2ForSequenceClassification, as TRL&apos;s reward trainer saves it) makes it a reward model; PPO, eval and the playground can
            then use it.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <ImportCheckpoint />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>In Python</CardTitle>
          <CardDescription>
            An unpacked download computes in transformers what it computes here: the same token ids, logits and reward scores (a reward model reads its score at the last token before
            end-of-text, as transformers and TRL do). A model trained in Python comes back through the form above, or on the server with{" "}
            <code>npm run trainer -- import-hf --from=FOLDER --id=NAME --register</code>.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <pre aria-label="Loading a checkpoint in Python" className="overflow-x-auto rounded bg-slate-50 p-2 text-xs">
            {PYTHON_USE}
          </pre>
        </CardContent>
      </Card>
    </div>
  );
}
