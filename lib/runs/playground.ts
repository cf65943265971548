/**
 * The playground's side of the web app: check the chosen checkpoints and queue a `playground`
 * job (trainer/jobs/playground.ts) with everything the worker needs, store keys included.
 */
import "server-only";
import type { Checkpoint, Run } from "@/db/schema";
import { getCheckpoint } from "@/lib/checkpoints/registry";
import { AppError } from "@/lib/errors";
import { kindsPhrase, withArticle } from "./inputs";
import { enqueueRun } from "./queue";
import { playgroundRequestSchema, type PlaygroundJobConfig, type PlaygroundRequest } from "./schema";

/** Kinds that write text: a value model or a reward model has no use for the language-model head. */
export const samplingKinds: Checkpoint["kind"][] = ["policy", "sft", "base"];

async function checkpointOfKind(checkpointId: string, kinds: Checkpoint["kind"][]) {
  const checkpoint = await getCheckpoint({ checkpointId });
  if (!checkpoint) throw new AppError("not_found:checkpoint", `No checkpoint ${checkpointId}.`);
  if (!kinds.includes(checkpoint.kind)) {
    throw new AppError("bad_request:checkpoint_kind", `Checkpoint ${checkpoint.name} is ${withArticle(checkpoint.kind)} checkpoint; this needs ${kindsPhrase(kinds)}.`);
  }
  return { id: checkpoint.id, name: checkpoint.name, kind: checkpoint.kind, storeKey: checkpoint.storeKey };
}

export async function enqueuePlayground({ input, actorId }: { input: PlaygroundRequest; actorId: string }): Promise<Run> {
  const data = playgroundRequestSchema.parse(input);
  const [first, second] = data.checkpointIds;
  const config: PlaygroundJobConfig = {
    prompt: data.prompt,
    checkpoints: [await checkpointOfKind(first, samplingKinds), await checkpointOfKind(second, samplingKinds)],
    reward: data.rewardCheckpointId ? await checkpointOfKind(data.rewardCheckpointId, ["reward"]) : null,
    temperature: data.temperature,
    maxNewTokens: data.maxNewTokens,
    seed: data.seed,
  };
  return enqueueRun({ kind: "playground", config, createdBy: actorId, parentCheckpointId: first, maxAttempts: 1 });
}
