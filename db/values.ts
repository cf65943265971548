/**
 * The value lists of the database's enums and enum-like columns, of the enum-like fields kept in
 * JSON columns (a campaign's settings, a checkpoint's config, a snapshot's filters), and of the
 * enum-like options a form sends (an import's). db/schema.ts builds its columns from them; zod
 * schemas, client components (with ValueOptions), the trainer and scripts take them from here
 * because importing db/schema.ts would bring drizzle into the browser bundle. No imports, so
 * anything may.
 */

export const roleValues = ["labeler", "researcher", "admin"] as const;
export type Role = (typeof roleValues)[number];

export const accountLinkKindValues = ["invite", "password_reset"] as const;
export type AccountLinkKind = (typeof accountLinkKindValues)[number];

export const campaignStatusValues = ["draft", "active", "paused", "done"] as const;
export type CampaignStatus = (typeof campaignStatusValues)[number];

/** A campaign's settings: whether labelers write why they chose. */
export const rationaleModeValues = ["off", "optional", "required"] as const;

/** A campaign's settings: which pairs are served first (finish-first: closest to done; spread: fewest judgments). */
export const campaignOrderingValues = ["finish-first", "spread"] as const;
export type CampaignOrdering = (typeof campaignOrderingValues)[number];

/** An import's options: the file's format, and what its TRL rows (`{prompt, chosen, rejected}`) become. */
export const importFormatValues = ["jsonl", "csv"] as const;
export type ImportFormat = (typeof importFormatValues)[number];
export const importTrlAsValues = ["label", "gold"] as const;
export type ImportTrlAs = (typeof importTrlAsValues)[number];

/** A judgment, or a gold pair's known answer, in the pair's canonical (A/B) order. */
export const choiceValues = ["a", "b", "tie", "both_bad"] as const;
export type Choice = (typeof choiceValues)[number];

/** Which response was shown on the left: `ab` = A left, `ba` = B left. */
export const shownOrderValues = ["ab", "ba"] as const;
export type ShownOrder = (typeof shownOrderValues)[number];

/** Which response of a pair has more characters; `same` when they are equally long. */
export const longerValues = ["a", "b", "same"] as const;

export const assignmentStatusValues = ["active", "completed", "skipped"] as const;

export const skipReasonValues = ["unclear_prompt", "cant_judge", "offensive", "other"] as const;
export type SkipReason = (typeof skipReasonValues)[number];

/** A snapshot's filters: one row per judgment (all), or one per pair with its majority's answer. */
export const snapshotAggregateValues = ["all", "majority"] as const;
export type SnapshotAggregate = (typeof snapshotAggregateValues)[number];

export const runStatusValues = ["queued", "running", "succeeded", "failed", "cancelled"] as const;

export const runLogLevels = ["info", "warn", "error"] as const;
export type RunLogLevel = (typeof runLogLevels)[number];

/** What a checkpoint holds. */
export const checkpointKindValues = ["base", "sft", "reward", "policy", "value"] as const;
export type CheckpointKind = (typeof checkpointKindValues)[number];

/** What an imported folder may become: a reward model only from a folder with a score head. */
export const checkpointImportKindValues = ["base", "sft", "reward"] as const satisfies readonly CheckpointKind[];
export type CheckpointImportKind = (typeof checkpointImportKindValues)[number];

/**
 * A reward checkpoint's config: the token its score is read at. "before-end-of-text" is
 * transformers' rule (TRL); "end-of-text" is OpenRLHF's (the last token its attention mask covers).
 */
export const scoreTokenValues = ["before-end-of-text", "end-of-text"] as const;
export type ScoreToken = (typeof scoreTokenValues)[number];
