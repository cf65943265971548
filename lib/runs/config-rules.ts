/**
 * The rules across a run config's keys that an option table cannot say one key at a time
 * ("this value needs that key"). startRun checks them (checkRunConfig) before the run is queued,
 * so the runs form shows the problem at once, and the job checks them again with the same
 * function when it resolves its config, so a run queued another way is refused the same way.
 * A rule reads the config with its options resolved (defaults filled in) and its job keys as given.
 */

/** A job key counts as given as check-inputs reads it: present and not null or "". */
const given = (v: unknown) => v !== undefined && v !== null && v !== "";

/** generate-pairs (trainer/jobs/generate-pairs.ts): what select, maxPairs, reward, k and baseline need of each other. */
export function generatePairsConfigProblems(config: Record<string, unknown>): string[] {
  const { select, maxPairs, k } = config;
  return [
    select === "uncertain" && !given(config.reward) ? 'config.reward: select "uncertain" needs config.reward (a reward checkpoint)' : "",
    select === "uncertain" && maxPairs === 0 ? 'config.maxPairs: select "uncertain" needs config.maxPairs (how many pairs to keep)' : "",
    select === "all" && maxPairs !== 0 ? 'config.maxPairs: maxPairs applies to select "uncertain"' : "",
    // Without a baseline each pair is two of the checkpoint's k answers: one answer makes none, and the run would succeed adding nothing.
    k === 1 && !given(config.baseline) ? "config.k: k 1 makes no pairs without config.baseline (each pair is two of the checkpoint's answers); set k to 2 or more, or give config.baseline" : "",
  ].filter(Boolean);
}

/** Each kind's cross-key rules; a kind not listed has none beyond its option table and its inputs (check-inputs.ts). */
export const configRules: Partial<Record<string, (config: Record<string, unknown>) => string[]>> = {
  "generate-pairs": generatePairsConfigProblems,
};
