/**
 * The generate-pairs job's tunables, in a module of their own so the run form's catalog
 * (trainer/config-catalog.ts) can list them without loading the job and its database code.
 * The job resolves its config with this table, so the form's check and the job's agree.
 */
import { opt, type OptionTable } from "@/lib/config/options";

export const generatePairsOptions = {
  prompts: opt(50, "how many of the campaign's prompts, oldest first", { int: true, min: 1, max: 10_000 }),
  k: opt(2, "responses per prompt from the checkpoint (identical ones count once); 1 needs config.baseline", { int: true, min: 1, max: 8 }),
  temperature: opt(0.9, "sampling temperature (0 = greedy)", { min: 0, max: 5 }),
  topP: opt(0.95, "nucleus sampling: draw from the smallest set of tokens whose probability reaches this share", { above: 0, max: 1 }),
  maxNewTokens: opt(48, "most tokens per sampled response (sampling also stops at a newline)", { int: true, min: 1, max: 512 }),
  seed: opt(1, "sampling seed", { int: true }),
  batchSize: opt(16, "prompts per sampling batch, responses per scoring batch", { int: true, min: 1, max: 64 }),
  select: opt("all", '"uncertain": keep only the maxPairs pairs the reward model (config.reward) is least sure about; "all": keep every pair', { oneOf: ["all", "uncertain"] }),
  maxPairs: opt(0, 'how many pairs select "uncertain" keeps (required there); 0 = not set, as select "all" needs', { int: true, min: 0, max: 100_000 }),
} satisfies OptionTable;
