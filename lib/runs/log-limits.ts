/** Bounds of the stored run logs (lib/runs/logs.ts); no imports, so client code can read them too. */

/** Lines of worker log kept per run: the newest 500 (older ones are deleted as new ones arrive). */
export const RUN_LOG_KEEP = 500;
/** A longer log line is cut to this many characters. */
export const RUN_LOG_MAX_CHARS = 2000;
