/**
 * Scoring with a reward model: `{prompt, response}` rows get a score; `{prompt, response_a,
 * response_b}` rows get both scores and P(a preferred) = sigmoid(score_a - score_b), the
 * Bradley-Terry probability the model was trained on. Shared by `npm run trainer -- score` and
 * the web API's in-process scoring.
 */
import fs from "node:fs/promises";
import * as tf from "@tensorflow/tfjs";
import { scoreRowProblem } from "@/lib/runs/config-rules";
import type { CheckpointStore } from "./checkpoint";
import { disposeModel, type GPT } from "./model";
import type { PromptInput } from "./prompt-format";
import { sigmoid } from "./rl-math";
import { chunks, encodeExample, forwardPacked, packedRewards, packSequences } from "./sequences";
import type { Tokenizer } from "./tokenizer";
import { loadModel } from "./rlhf-common";

export type ScoreInput = { prompt: PromptInput; response: string } | { prompt: PromptInput; response_a: string; response_b: string };
export type ScoreOutput =
  | { prompt: PromptInput; response: string; score: number }
  | { prompt: PromptInput; response_a: string; response_b: string; score_a: number; score_b: number; p_a_better: number };

export interface RewardModel {
  model: GPT;
  tokenizer: Tokenizer;
}

/** Reward of each (prompt, response), read at its last token before end-of-text (packedRewards), without gradients. */
export function scoreTexts(rm: RewardModel, items: Array<{ prompt: PromptInput; response: string }>, batchSize = 16): number[] {
  const maxLength = rm.model.config.contextLength;
  const out: number[] = [];
  for (const part of chunks(items, batchSize)) {
    const batch = packSequences(
      part.map((i) => encodeExample(rm.tokenizer, i.prompt, i.response, maxLength)),
      rm.tokenizer.padId,
    );
    const s = tf.tidy(() => packedRewards(rm.model, forwardPacked(rm.model, batch), batch));
    out.push(...s.dataSync());
    s.dispose();
  }
  return out;
}

export function parseScoreRow(raw: unknown, where: string): ScoreInput {
  // The rule startRun checks a score run's rows with (lib/runs/config-rules.ts), for the job and the CLI's file.
  const problem = scoreRowProblem(raw, where);
  if (problem) throw new Error(problem);
  const r = raw as Record<string, unknown> & { prompt: PromptInput };
  if (typeof r.response === "string") return { prompt: r.prompt, response: r.response };
  return { prompt: r.prompt, response_a: r.response_a as string, response_b: r.response_b as string };
}

/**
 * Scores rows with an already loaded reward model.
 * @public docs/rlhf.md offers it to researchers scripting against the trainer.
 */
export function scoreWith(rm: RewardModel, rows: ScoreInput[], batchSize = 16): ScoreOutput[] {
  const items: Array<{ prompt: PromptInput; response: string }> = [];
  for (const r of rows) {
    if ("response" in r) items.push({ prompt: r.prompt, response: r.response });
    else items.push({ prompt: r.prompt, response: r.response_a }, { prompt: r.prompt, response: r.response_b });
  }
  const scores = scoreTexts(rm, items, batchSize);
  let i = 0;
  return rows.map((r) => {
    if ("response" in r) return { ...r, score: scores[i++] };
    const [a, b] = [scores[i++], scores[i++]];
    return { ...r, score_a: a, score_b: b, p_a_better: sigmoid(a - b) };
  });
}

/** Loads a reward checkpoint, refusing (and freeing) one without a reward head. */
export async function loadRewardModel(store: CheckpointStore, checkpointId: string): Promise<RewardModel> {
  const { model, tokenizer, meta } = await loadModel(store, checkpointId);
  if (!model.params["score.weight"]) {
    disposeModel(model);
    throw new Error(`checkpoint ${checkpointId} (kind ${meta.kind}) has no reward head`);
  }
  return { model, tokenizer };
}

/** Loads a reward checkpoint and scores rows: the entry point for the CLI and the web API. */
export async function scoreRows({ store, checkpointId, rows, batchSize = 16 }: { store: CheckpointStore; checkpointId: string; rows: ScoreInput[]; batchSize?: number }): Promise<ScoreOutput[]> {
  const rm = await loadRewardModel(store, checkpointId);
  try {
    return scoreWith(rm, rows, batchSize);
  } finally {
    disposeModel(rm.model);
  }
}

export async function readScoreJsonl(file: string): Promise<ScoreInput[]> {
  const text = await fs.readFile(file, "utf8");
  return text
    .split("\n")
    .map((line, i) => [line, i] as const)
    .filter(([line]) => line.trim())
    .map(([line, i]) => parseScoreRow(JSON.parse(line), `${file}:${i + 1}`));
}
