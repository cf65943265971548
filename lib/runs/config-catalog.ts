/**
 * The run form's view of each kind's config, generated from the trainer's option tables
 * (trainer/config-catalog.ts writes config-catalog.json), and the check a new run's config
 * passes before it is queued: the same resolveConfig the job runs, so a typo or a wrong type
 * is refused at once instead of failing the run on the worker.
 */
import { OptionError, resolveConfig, type OptionTable } from "@/lib/config/options";
import { AppError } from "@/lib/errors";
import catalogJson from "./config-catalog.json";
import { configRules, refuseProblems } from "./config-rules";

export type RunConfigCatalog = Record<string, { options: OptionTable; extra: Record<string, string> }>;

export const runConfigCatalog = catalogJson.kinds as RunConfigCatalog;

/**
 * Refuses unknown keys and wrong types for the kinds the catalog knows, then what the kind's
 * rules refuse (config-rules.ts, which its job checks too), on the config as given for a kind the
 * catalog lacks (score); other kinds are checked by their job.
 */
export function checkRunConfig(kind: string, config: Record<string, unknown>): void {
  const entry = runConfigCatalog[kind];
  let options: Record<string, unknown> = {};
  try {
    if (entry) options = resolveConfig(entry.options, config, "config", Object.keys(entry.extra));
  } catch (err) {
    if (err instanceof OptionError) throw new AppError("bad_request:config", err.message);
    throw err;
  }
  refuseProblems(configRules[kind]?.({ ...config, ...options }) ?? [], (message) => new AppError("bad_request:config", message));
}

/** Whether a kind's job reads the form's dataset snapshot: reward, dpo and ppo list it among their keys; no other kind reads one. */
export function kindTakesSnapshot(catalog: RunConfigCatalog, kind: string): boolean {
  return "snapshotId" in (catalog[kind]?.extra ?? {});
}
