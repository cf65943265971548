/**
 * Every table, index and relation of Pairwise. Row types are inferred next to each table; the
 * enums' value lists come from db/values.ts, which code outside the server imports instead.
 * Migrations are generated from this file by drizzle-kit (`npm run db:generate`).
 */
import { relations, sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import {
  accountLinkKindValues,
  assignmentStatusValues,
  campaignStatusValues,
  checkpointKindValues,
  choiceValues,
  longerValues,
  roleValues,
  runLogLevels,
  runStatusValues,
  shownOrderValues,
  skipReasonValues,
} from "./values";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

// ---------------------------------------------------------------------------------------
// Users and access
// ---------------------------------------------------------------------------------------

export const roleEnum = pgEnum("role", roleValues);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Stored lower-cased; unique. */
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    role: roleEnum("role").notNull().default("labeler"),
    /** argon2id hash; null for OAuth-only accounts. */
    passwordHash: text("password_hash"),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    /** Sessions signed in before this are refused (set when the password is reset). */
    sessionsValidAfter: timestamp("sessions_valid_after", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email)],
);
export type User = typeof users.$inferSelect;

/** One row per failed sign-in; read back as a sliding window for rate limiting. */
export const signinFailures = pgTable(
  "signin_failures",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    email: text("email").notNull(),
    ip: text("ip").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("signin_failures_email_at").on(t.email, t.at), index("signin_failures_ip_at").on(t.ip, t.at)],
);

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** SHA-256 of the token; the token itself is shown once and never stored. */
    tokenHash: text("token_hash").notNull(),
    /** First characters of the token, so a user can tell their tokens apart. */
    prefix: text("prefix").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("api_tokens_hash_key").on(t.tokenHash), index("api_tokens_user").on(t.userId)],
);
export type ApiToken = typeof apiTokens.$inferSelect;

/**
 * A one-time link an admin hands to someone: an invite (creates the account) or a password
 * reset (sets a new password on an existing one). Only the SHA-256 of the token is stored;
 * a link is spent by setting `usedAt` in the same transaction as the change it makes.
 */
export const accountLinkKindEnum = pgEnum("account_link_kind", accountLinkKindValues);

export const accountLinks = pgTable(
  "account_links",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: accountLinkKindEnum("kind").notNull(),
    /** SHA-256 of the token; the token itself is shown to the admin once. */
    tokenHash: text("token_hash").notNull(),
    /** Invite: the address the account will have (lower-cased). Reset: the user's address when made. */
    email: text("email").notNull(),
    /** Invite: the role the account will have; null for a reset. */
    role: roleEnum("role"),
    /** Reset: the user whose password it sets. Invite: the account it created, once used. */
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    /** Set when an admin revokes it, or when a newer link of the same kind replaces it. */
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("account_links_hash_key").on(t.tokenHash), index("account_links_kind_email").on(t.kind, t.email)],
);
export type AccountLink = typeof accountLinks.$inferSelect;

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    /** Namespaced verb, e.g. `user.role_changed`, `token.created`. */
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("audit_events_at").on(t.at), index("audit_events_action").on(t.action)],
);
export type AuditEvent = typeof auditEvents.$inferSelect;

// ---------------------------------------------------------------------------------------
// Labeling data
// ---------------------------------------------------------------------------------------

export const campaignStatusEnum = pgEnum("campaign_status", campaignStatusValues);

/** A message of a multi-turn prompt. */
export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };
/** A prompt is plain text or a conversation. */
export type PromptContent = string | ChatMessage[];

export const campaigns = pgTable("campaigns", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  /** Markdown shown beside every task. */
  guidelines: text("guidelines").notNull().default(""),
  /** Judgments wanted per pair. */
  overlap: integer("overlap").notNull().default(3),
  /** Options validated by lib/campaigns/schema.ts. */
  settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
  status: campaignStatusEnum("status").notNull().default("draft"),
  createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
export type Campaign = typeof campaigns.$inferSelect;

export const prompts = pgTable(
  "prompts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    campaignId: uuid("campaign_id")
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    content: jsonb("content").$type<PromptContent>().notNull(),
    /** SHA-256 of the canonical content, for de-duplication within a campaign. */
    contentHash: text("content_hash").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("prompts_campaign_hash_key").on(t.campaignId, t.contentHash)],
);
export type Prompt = typeof prompts.$inferSelect;

export const responses = pgTable(
  "responses",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    promptId: uuid("prompt_id")
      .notNull()
      .references(() => prompts.id, { onDelete: "cascade" }),
    text: text("text").notNull(),
    /** Characters in `text`, kept by the database: campaign quality compares lengths of 100,000s of pairs without reading the texts. */
    textLength: integer("text_length")
      .notNull()
      .generatedAlwaysAs(sql`char_length(text)`),
    textHash: text("text_hash").notNull(),
    /** Model or checkpoint name the response came from, or `imported`. */
    source: text("source").notNull().default("imported"),
    checkpointId: uuid("checkpoint_id").references(() => checkpoints.id, { onDelete: "set null" }),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("responses_prompt_hash_source_key").on(t.promptId, t.textHash, t.source),
    // Lineage: which pairs came from a checkpoint's samples.
    index("responses_checkpoint").on(t.checkpointId),
  ],
);
export type Response = typeof responses.$inferSelect;

export const pairs = pgTable(
  "pairs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    campaignId: uuid("campaign_id")
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    promptId: uuid("prompt_id")
      .notNull()
      .references(() => prompts.id, { onDelete: "cascade" }),
    responseAId: uuid("response_a_id")
      .notNull()
      .references(() => responses.id, { onDelete: "cascade" }),
    responseBId: uuid("response_b_id")
      .notNull()
      .references(() => responses.id, { onDelete: "cascade" }),
    /** Known answer of a gold pair, in canonical (A/B) order; null for ordinary pairs. */
    goldChoice: text("gold_choice", { enum: choiceValues }),
    /** Judgments stored for this pair; kept in step with `comparisons` in the same transaction. */
    judgmentCount: integer("judgment_count").notNull().default(0),
    /**
     * How informative a judgment of this pair is expected to be; the queue serves higher first
     * among pairs with the same judgment count. generate-pairs with a reward model stores the
     * pair's Bradley-Terry uncertainty (1 = the model cannot tell the two apart); imports keep 0.
     */
    priority: real("priority").notNull().default(0),
    /**
     * Set only by migration 0016, on an A/B-swapped copy of an older pair that imports made before
     * a pair and its swap were one pair: the older pair's id. Such a copy was leased at least once, or
     * holds a gold answer the older pair lacks or contradicts (the migration deleted the others). It
     * keeps its judgments, but the labeling queue (a gold copy aside), the completion counts and the
     * uniqueness below leave it out. Null on every pair written since.
     */
    swapOf: uuid("swap_of").references((): AnyPgColumn => pairs.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    // A pair is its two responses, unordered: the labeling UI shows them in a random order per
    // assignment, so (X, Y) and (Y, X) are one comparison. Imports and generate-pairs insert with
    // ON CONFLICT on exactly this index (lib/imports/import.ts), so concurrent writers cannot add
    // a swap either.
    uniqueIndex("pairs_campaign_pair_key")
      .on(t.campaignId, sql`least(${t.responseAId}, ${t.responseBId})`, sql`greatest(${t.responseAId}, ${t.responseBId})`)
      .where(sql`${t.swapOf} is null`),
    // Deleting a pair (a campaign, a prompt or a response cascades to its pairs) makes Postgres look for
    // pairs whose swap_of names it, to set it null: without an index that is a scan of every pair per
    // deleted pair. Partial: only the few copies migration 0016 flagged have one.
    index("pairs_swap_of").on(t.swapOf).where(sql`${t.swapOf} is not null`),
    // The same for the three other foreign keys: deleting a prompt or a response (a campaign's delete
    // cascades to all of its own) makes Postgres look up the pairs naming it in each column, a scan
    // of every pair per deleted row without these (bench/pairs-delete has the figures). One index per
    // column: a composite index serves only lookups by its leading column.
    index("pairs_prompt").on(t.promptId),
    index("pairs_response_a").on(t.responseAId),
    index("pairs_response_b").on(t.responseBId),
    index("pairs_campaign_queue").on(t.campaignId, t.judgmentCount),
    // The finish-first lease scan reads open pairs in exactly this order (lib/labeling/queue.ts):
    // without it every lease sorts the campaign's open pairs (docs/reliability.md has the EXPLAIN figures).
    index("pairs_open_queue")
      .on(t.campaignId, t.judgmentCount.desc().nullsFirst(), t.priority.desc().nullsFirst(), t.createdAt, t.id)
      .where(sql`${t.goldChoice} is null`),
  ],
);
export type Pair = typeof pairs.$inferSelect;

export const campaignMembers = pgTable(
  "campaign_members",
  {
    campaignId: uuid("campaign_id")
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    addedAt: timestamp("added_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.userId] })],
);
export type CampaignMember = typeof campaignMembers.$inferSelect;

/**
 * A lease of a pair to one labeler. One row per (pair, labeler) ever: a labeler never
 * gets the same pair twice. `active` rows whose lease has expired count as free.
 */
export const assignments = pgTable(
  "assignments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    campaignId: uuid("campaign_id")
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    pairId: uuid("pair_id")
      .notNull()
      .references(() => pairs.id, { onDelete: "cascade" }),
    labelerId: uuid("labeler_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text("status", { enum: assignmentStatusValues }).notNull().default("active"),
    /** Which response was shown on the left: `ab` = A left, `ba` = B left. */
    shownOrder: text("shown_order", { enum: shownOrderValues }).notNull(),
    leasedAt: timestamp("leased_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /**
     * The id of the judgment last undone on this task: an undo sent again (its first answer lost)
     * finds it here and answers as the first did, instead of "no such judgment".
     */
    undoneJudgmentId: uuid("undone_judgment_id"),
  },
  (t) => [
    uniqueIndex("assignments_pair_labeler_key").on(t.pairId, t.labelerId),
    index("assignments_labeler_campaign_status").on(t.labelerId, t.campaignId, t.status),
    index("assignments_pair_live").on(t.pairId, t.status, t.expiresAt),
    uniqueIndex("assignments_undone_judgment_key").on(t.undoneJudgmentId).where(sql`${t.undoneJudgmentId} is not null`),
  ],
);
export type Assignment = typeof assignments.$inferSelect;

/** One labeler's judgment of one pair, stored in the pair's canonical (A/B) order. */
export const comparisons = pgTable(
  "comparisons",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Generated by the client; a resent submission with the same id returns this row. */
    clientSubmissionId: uuid("client_submission_id").notNull(),
    assignmentId: uuid("assignment_id")
      .notNull()
      .references(() => assignments.id, { onDelete: "cascade" }),
    campaignId: uuid("campaign_id")
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    pairId: uuid("pair_id")
      .notNull()
      .references(() => pairs.id, { onDelete: "cascade" }),
    labelerId: uuid("labeler_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    choice: text("choice", { enum: choiceValues }).notNull(),
    /** 1 negligibly, 2 slightly, 3 clearly, 4 much better; null for tie, both bad, or when not asked. */
    strength: integer("strength"),
    rationale: text("rationale"),
    shownOrder: text("shown_order", { enum: shownOrderValues }).notNull(),
    /** On screen to submit, measured by the server: from the lease, or the labeler's previous answer in the campaign when leased ahead (queue.ts, shownSince). */
    serverMs: integer("server_ms").notNull(),
    /** Time the page was visible and focused, measured by the client. */
    activeMs: integer("active_ms"),
    /** For gold pairs: whether the choice matched the known answer. */
    goldCorrect: boolean("gold_correct"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("comparisons_client_submission_key").on(t.clientSubmissionId),
    uniqueIndex("comparisons_pair_labeler_key").on(t.pairId, t.labelerId),
    index("comparisons_campaign").on(t.campaignId, t.createdAt),
    index("comparisons_labeler").on(t.labelerId, t.createdAt),
    // The judgments of one labeler in one campaign in order of time taken: the triggers that keep
    // campaign_quality_labelers' median step through it from the last median (migration 0014).
    index("comparisons_campaign_labeler_time").on(t.campaignId, t.labelerId, t.serverMs, t.id),
    // Each deleted assignment (a judged campaign's delete cascades to all of its own) looks up its
    // judgment by assignment_id: without this, a scan of every judgment per assignment (migration 0019).
    index("comparisons_assignment").on(t.assignmentId),
  ],
);
export type Comparison = typeof comparisons.$inferSelect;

// Campaign quality, kept by the database. Triggers on comparisons and pairs (migration 0014,
// db/migrations/0014_campaign_quality_triggers.sql) update these in the transaction that writes
// a judgment or a pair, so the campaign page reads a few hundred rows however large the campaign
// (lib/labeling/quality.ts). Only those triggers write them; after a TRUNCATE that empties
// comparisons (pairs and every cascade that reaches them do), migration 0015 counts them again.

/**
 * Counts that every judgment of a campaign moves are split over 16 shards by the pair's id, so
 * that labelers judging different pairs at once seldom wait for one another's row; readers sum
 * the shards. A shard's own count means nothing and may go below zero.
 */
const shard = () => smallint("shard").notNull();

/** A campaign's non-gold pairs counted by judgment_count: completion is a sum over a few rows. */
export const campaignPairCounts = pgTable(
  "campaign_pair_counts",
  {
    campaignId: uuid("campaign_id")
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    shard: shard(),
    judgmentCount: integer("judgment_count").notNull(),
    pairs: integer("pairs").notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.judgmentCount, t.shard] })],
);

/**
 * A judged non-gold pair's kind: its non-gold judgments counted by outcome (a1-a4, b1-b4, tie,
 * both_bad: lib/labeling/quality.ts OUTCOMES, in that order), which response is longer, and how
 * many decisive judgments picked the left one. The triggers read a pair's previous kind here.
 * Which response is longer is read when the pair's judgments change (a stored response's text
 * never changes). No foreign key to pairs: when a pair goes, its row must still say which kind
 * to count down.
 */
export const campaignQualityPairs = pgTable("campaign_quality_pairs", {
  pairId: uuid("pair_id").primaryKey(),
  campaignId: uuid("campaign_id")
    .notNull()
    .references(() => campaigns.id, { onDelete: "cascade" }),
  outcomes: integer("outcomes").array().notNull(),
  longer: text("longer", { enum: longerValues }).notNull(),
  pickedLeft: integer("picked_left").notNull(),
});

/** How many of a campaign's pairs are of each kind (campaign_quality_pairs grouped). */
export const campaignQualityKinds = pgTable(
  "campaign_quality_kinds",
  {
    campaignId: uuid("campaign_id")
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    shard: shard(),
    outcomes: integer("outcomes").array().notNull(),
    longer: text("longer", { enum: longerValues }).notNull(),
    pairs: integer("pairs").notNull(),
    pickedLeft: integer("picked_left").notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.longer, t.outcomes, t.shard] })],
);

/** One labeler's figures in one campaign; a row may stay at zero judgments after an undo. */
export const campaignQualityLabelers = pgTable(
  "campaign_quality_labelers",
  {
    campaignId: uuid("campaign_id")
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    labelerId: uuid("labeler_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** Every judgment, gold ones included. */
    judgments: integer("judgments").notNull().default(0),
    goldAnswered: integer("gold_answered").notNull().default(0),
    goldRight: integer("gold_right").notNull().default(0),
    /** Non-gold judgments whose pair has at least two others with one most common choice, and how many of them chose it. */
    agreementChecked: integer("agreement_checked").notNull().default(0),
    agreementAgreed: integer("agreement_agreed").notNull().default(0),
    /** Median of server_ms (percentile_cont(0.5)), null without judgments. */
    medianMs: doublePrecision("median_ms"),
    /**
     * The lower median judgment (rank floor((n - 1) / 2) in order of server_ms, then id): the
     * triggers find the next median by stepping from it instead of counting every judgment.
     */
    medianLowerMs: integer("median_lower_ms"),
    medianLowerId: uuid("median_lower_id"),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.labelerId] })],
);

export const skips = pgTable(
  "skips",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    assignmentId: uuid("assignment_id")
      .notNull()
      .references(() => assignments.id, { onDelete: "cascade" }),
    pairId: uuid("pair_id")
      .notNull()
      .references(() => pairs.id, { onDelete: "cascade" }),
    labelerId: uuid("labeler_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    reason: text("reason", { enum: skipReasonValues }).notNull(),
    text: text("text"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("skips_assignment_key").on(t.assignmentId),
    // Each deleted pair (a campaign's delete cascades to all of its own) looks up its skips by pair_id.
    index("skips_pair").on(t.pairId),
    // Each judgment reads the labeler's latest skip in the campaign (lib/labeling/queue.ts shownSince), newest first.
    index("skips_labeler_at").on(t.labelerId, t.at),
  ],
);
export type Skip = typeof skips.$inferSelect;

// ---------------------------------------------------------------------------------------
// Dataset snapshots: immutable, hashed sets of preferences that training runs read
// ---------------------------------------------------------------------------------------

export const datasetSnapshots = pgTable(
  "dataset_snapshots",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    /** The filters that made it (lib/snapshots/schema.ts). */
    filters: jsonb("filters").$type<Record<string, unknown>>().notNull(),
    /** SHA-256 over the canonical serialisation of its rows: same data, same hash. */
    contentHash: text("content_hash").notNull(),
    counts: jsonb("counts").$type<Record<string, number>>().notNull(),
    /** Per-labeler reliability estimated on the snapshot (one-coin Dawid-Skene). */
    labelerReliability: jsonb("labeler_reliability").$type<Record<string, number>>().notNull().default({}),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("dataset_snapshots_hash").on(t.contentHash)],
);
export type DatasetSnapshot = typeof datasetSnapshots.$inferSelect;

/** One preference of a snapshot, frozen: later edits of judgments do not change it. */
export const snapshotRows = pgTable(
  "snapshot_rows",
  {
    snapshotId: uuid("snapshot_id")
      .notNull()
      .references(() => datasetSnapshots.id, { onDelete: "cascade" }),
    ordinal: integer("ordinal").notNull(),
    pairId: uuid("pair_id").notNull(),
    promptId: uuid("prompt_id").notNull(),
    chosenResponseId: uuid("chosen_response_id").notNull(),
    rejectedResponseId: uuid("rejected_response_id").notNull(),
    tie: boolean("tie").notNull().default(false),
    /** Judged strength 1-4 (the mean over votes when aggregated), null when not asked. */
    strength: doublePrecision("strength"),
    /** Per-row weight: labeler reliability, or the majority's vote share when aggregated. */
    weight: doublePrecision("weight").notNull().default(1),
    votes: integer("votes").notNull().default(1),
    /** The judgment this row is, when every vote is kept; null when aggregated per pair. */
    comparisonId: uuid("comparison_id"),
    labelerId: uuid("labeler_id"),
  },
  (t) => [primaryKey({ columns: [t.snapshotId, t.ordinal] })],
);
export type SnapshotRow = typeof snapshotRows.$inferSelect;

// ---------------------------------------------------------------------------------------
// Training: workers, runs (the job queue), metrics, checkpoints
// ---------------------------------------------------------------------------------------

export const workers = pgTable("workers", {
  id: uuid("id").primaryKey().defaultRandom(),
  hostname: text("hostname").notNull(),
  pid: integer("pid").notNull(),
  /** tfjs backend the worker runs on: node-gpu | node | wasm | cpu. */
  backend: text("backend").notNull(),
  kinds: text("kinds").array().notNull(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }).notNull().defaultNow(),
  stoppedAt: timestamp("stopped_at", { withTimezone: true }),
});
export type Worker = typeof workers.$inferSelect;

export const runStatusEnum = pgEnum("run_status", runStatusValues);

/**
 * How far a running attempt has got, as its worker last reported (written with the run's
 * heartbeat). The rate comes from the worker's own clock (`elapsedMs` between its first report
 * and this one), so a resumed attempt or a slow model load does not skew it; `at` is the
 * database's time of the write.
 */
export type RunProgress = {
  /** Steps (or iterations, or batches) done. */
  done: number;
  /** Steps planned; an upper bound when training may stop early. */
  total: number;
  /** `done` at this attempt's first report. */
  firstDone: number;
  /** Milliseconds from this attempt's first report to this one. */
  elapsedMs: number;
  /** ISO time of the write, on the database's clock. */
  at: string;
  /**
   * Milliseconds left of the run's time budget (PPO's `maxMinutes`) at this report, on the
   * worker's clock; negative once spent. Absent without a budget.
   */
  budgetMsLeft?: number;
};

/** One health flag: its name, the iteration that raised it, and one sentence on what it means. */
export type RunHealthFlag = { flag: string; iteration: number; message: string };

/** A run is also the queue entry: workers claim `queued` rows with FOR UPDATE SKIP LOCKED. */
export const runs = pgTable(
  "runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind").notNull(),
    status: runStatusEnum("status").notNull().default("queued"),
    config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
    parentCheckpointId: uuid("parent_checkpoint_id").references(() => checkpoints.id, { onDelete: "set null" }),
    snapshotId: uuid("snapshot_id").references(() => datasetSnapshots.id, { onDelete: "set null" }),
    outputCheckpointId: uuid("output_checkpoint_id").references(() => checkpoints.id, { onDelete: "set null" }),
    workerId: uuid("worker_id").references(() => workers.id, { onDelete: "set null" }),
    /** Times the run was claimed; a run recovered after a dead worker is claimed again. */
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(2),
    cancelRequested: boolean("cancel_requested").notNull().default(false),
    /** Null until the running attempt reports progress; cleared when a worker claims the run. */
    progress: jsonb("progress").$type<RunProgress>(),
    /** Sequence number of the last line appended to run_logs (lines are numbered 1, 2, ... per run). */
    logSeq: integer("log_seq").notNull().default(0),
    result: jsonb("result").$type<Record<string, unknown>>(),
    /** Warnings a job raises while it runs (PPO's health flags), once per flag name, oldest first. */
    healthFlags: jsonb("health_flags").$type<RunHealthFlag[]>().notNull().default([]),
    error: text("error"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("runs_queue").on(t.status, t.createdAt),
    index("runs_kind").on(t.kind),
  ],
);
export type Run = typeof runs.$inferSelect;

export const runMetrics = pgTable(
  "run_metrics",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    step: integer("step").notNull(),
    name: text("name").notNull(),
    value: doublePrecision("value").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.name, t.step] }),
    // A live run's page polls "written since" every 2 s: without it each poll reads all of the run's points
    // (38 ms at 110,000 points; bench/research-scale).
    index("run_metrics_run_at").on(t.runId, t.at),
  ],
);
export type RunMetric = typeof runMetrics.$inferSelect;

/**
 * The tail of a run's worker log: the last lines of each run (lib/runs/logs.ts keeps
 * RUN_LOG_KEEP), numbered per run from runs.log_seq so pollers can ask for `seq > after`.
 */
export const runLogs = pgTable(
  "run_logs",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    level: text("level", { enum: runLogLevels }).notNull(),
    message: text("message").notNull(),
    /** When the worker logged it (its clock). */
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);
export type RunLog = typeof runLogs.$inferSelect;

/**
 * Sample generations a run stores while it trains (PPO: `samplesPerLog` rows every `sampleEvery`
 * iterations), numbered by iteration and position, so the run page shows them as they come and a
 * failed or cancelled run keeps the ones it made. A resumed attempt that writes an iteration again
 * changes nothing.
 */
export const runSamples = pgTable(
  "run_samples",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    iteration: integer("iteration").notNull(),
    position: integer("position").notNull(),
    /** The prompt as given: a string, or chat turns ([{ role, content }]). */
    prompt: jsonb("prompt").$type<string | Array<{ role: string; content: string }>>().notNull(),
    response: text("response").notNull(),
    score: doublePrecision("score").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.iteration, t.position] })],
);
export type RunSample = typeof runSamples.$inferSelect;

export const checkpointKindEnum = pgEnum("checkpoint_kind", checkpointKindValues);

export const checkpoints = pgTable(
  "checkpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: checkpointKindEnum("kind").notNull(),
    name: text("name").notNull(),
    parentId: uuid("parent_id").references((): AnyPgColumn => checkpoints.id, { onDelete: "set null" }),
    /** The run that produced it; null for imported or shipped checkpoints. */
    runId: uuid("run_id"),
    backend: text("backend").notNull(),
    /** Key of the checkpoint in the checkpoint store. */
    storeKey: text("store_key").notNull(),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    paramCount: bigint("param_count", { mode: "number" }).notNull(),
    config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
    metrics: jsonb("metrics").$type<Record<string, number>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("checkpoints_store_key").on(t.storeKey), index("checkpoints_run").on(t.runId)],
);
export type Checkpoint = typeof checkpoints.$inferSelect;

// ---------------------------------------------------------------------------------------
// Relations
// ---------------------------------------------------------------------------------------

export const usersRelations = relations(users, ({ many }) => ({ apiTokens: many(apiTokens) }));
export const apiTokensRelations = relations(apiTokens, ({ one }) => ({
  user: one(users, { fields: [apiTokens.userId], references: [users.id] }),
}));
export const campaignsRelations = relations(campaigns, ({ many }) => ({ prompts: many(prompts), pairs: many(pairs) }));
export const promptsRelations = relations(prompts, ({ one, many }) => ({
  campaign: one(campaigns, { fields: [prompts.campaignId], references: [campaigns.id] }),
  responses: many(responses),
}));
export const responsesRelations = relations(responses, ({ one }) => ({
  prompt: one(prompts, { fields: [responses.promptId], references: [prompts.id] }),
}));
export const pairsRelations = relations(pairs, ({ one }) => ({
  campaign: one(campaigns, { fields: [pairs.campaignId], references: [campaigns.id] }),
  prompt: one(prompts, { fields: [pairs.promptId], references: [prompts.id] }),
  responseA: one(responses, { fields: [pairs.responseAId], references: [responses.id], relationName: "a" }),
  responseB: one(responses, { fields: [pairs.responseBId], references: [responses.id], relationName: "b" }),
}));
export const runsRelations = relations(runs, ({ many, one }) => ({
  metrics: many(runMetrics),
  logs: many(runLogs),
  worker: one(workers, { fields: [runs.workerId], references: [workers.id] }),
}));
export const runMetricsRelations = relations(runMetrics, ({ one }) => ({
  run: one(runs, { fields: [runMetrics.runId], references: [runs.id] }),
}));
export const runLogsRelations = relations(runLogs, ({ one }) => ({
  run: one(runs, { fields: [runLogs.runId], references: [runs.id] }),
}));

