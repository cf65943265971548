import { dpo } from "./dpo";
import { generatePairs } from "./generate-pairs";
import { evaluate } from "./eval";
import { healthcheck } from "./healthcheck";
import { playground } from "./playground";
import { ppo } from "./ppo";
import { pretrain } from "./pretrain";
import { reward } from "./reward";
import { score } from "./score";
import { sft } from "./sft";
import type { JobHandler } from "./types";

/** Every job kind this worker can run. */
export const jobHandlers: Record<string, JobHandler> = {
  healthcheck,
  pretrain,
  sft,
  reward,
  dpo,
  ppo,
  "generate-pairs": generatePairs,
  eval: evaluate,
  score,
  playground,
};
