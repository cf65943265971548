/**
 * Imports a file of pairs into a campaign. Pass 1 validates every line and collects the
 * bad ones; any bad line refuses the whole file and nothing is written. Pass 2 inserts
 * in batches inside one transaction, so an import is all or nothing, with memory flat in
 * the file's size.
 */
import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import { db } from "@/db/client";
import { campaigns, prompts, responses } from "@/db/schema";
import type { Choice } from "@/db/values";
import { recordAudit } from "@/lib/audit/audit";
import { parseId } from "@/lib/api/params";
import { toStorableText } from "@/lib/api/storable-text";
import { AppError } from "@/lib/errors";
import { promptHash, sha256 } from "@/lib/hash";
import { RefusedLines } from "./errors";
import { isBinaryFile, readImportFile, type NormalResponse, type NormalRow } from "./parse";
import { importOptionsSchema, type IgnoredKey, type ImportError, type ImportOptions, type ImportResult } from "./schema";

const BATCH_ROWS = 1000;
/** A file whose rows are keyed by ids would otherwise report one ignored key per row. */
const MAX_REPORTED_KEYS = 100;
/** The audit event lists this many of them (its details are shown whole on the audit page). */
const MAX_AUDITED_KEYS = 20;
/**
 * Distinct ignored keys are counted exactly up to this many (the event's `ignoredKeysNotListed`),
 * each held as itself or, past 64 characters, as its SHA-256: at most about 10 MB however large
 * the file. A file with more says so (`ignoredKeysNotListedAtLeast`).
 */
const MAX_COUNTED_KEYS = 100_000;
/** A refusal's audit event lists the first few reasons, each message cut to this many characters. */
const MAX_AUDITED_ERRORS = 5;
const MAX_AUDITED_MESSAGE = 300;
/** The result names the first few rows whose gold answer was not kept (it counts them all). */
const MAX_REPORTED_GOLD_CONFLICTS = 10;

type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

/** `line`: the row that asked for the pair. */
type PairValue = { line: number; promptId: string; responseAId: string; responseBId: string; goldChoice: Choice | null; priority: number };

/**
 * Writes a batch's prompts and responses; returns the pairs to make of them, a row's repeat of an
 * earlier row's pair included (the insert skips it), and how many the rows asked for.
 */
async function insertPromptsAndResponses(tx: Tx, campaignId: string, rows: NormalRow[]): Promise<{ pairs: PairValue[]; attempted: number }> {
  // 1. prompts, unique per campaign by content hash. Ids come back from the insert; only
  //    prompts that already existed need a second look-up.
  const promptValues = new Map<string, NormalRow["prompt"]>();
  const rowPromptHash = rows.map((r) => {
    const h = promptHash(r.prompt);
    promptValues.set(h, r.prompt);
    return h;
  });
  // Column arrays through unnest: one parameter per column instead of one per value,
  // which Postgres plans and parses several times faster for thousands of rows.
  const promptEntries = [...promptValues];
  const insertedPrompts = await tx.execute<{ id: string; hash: string }>(sql`
    insert into prompts (campaign_id, content, content_hash)
    select ${campaignId}::uuid, c, h from unnest(${sql.param(promptEntries.map(([, c]) => JSON.stringify(c)))}::jsonb[], ${sql.param(promptEntries.map(([h]) => h))}::text[]) as t(c, h)
    on conflict do nothing
    returning id, content_hash as hash`);
  const promptIds = new Map(insertedPrompts.map((p) => [p.hash, p.id]));
  const existingPrompts = [...promptValues.keys()].filter((h) => !promptIds.has(h));
  if (existingPrompts.length) {
    const found = await tx
      .select({ id: prompts.id, hash: prompts.contentHash })
      .from(prompts)
      .where(and(eq(prompts.campaignId, campaignId), inArray(prompts.contentHash, existingPrompts)));
    for (const p of found) promptIds.set(p.hash, p.id);
  }

  // 2. responses, unique per prompt by (text hash, source); the same two-step id look-up.
  type ResponseValue = { promptId: string; text: string; textHash: string; source: string; metadata: Record<string, unknown>; checkpointId: string | null };
  const responseValues = new Map<string, ResponseValue>();
  const keyOf = (promptId: string, textHash: string, source: string) => `${promptId}|${textHash}|${source}`;
  const rowKeys = rows.map((row, i) => {
    const promptId = promptIds.get(rowPromptHash[i]!)!;
    return row.pairs.map((p) =>
      [p.a, p.b].map((r: NormalResponse) => {
        const textHash = sha256(r.text);
        const key = keyOf(promptId, textHash, r.source);
        responseValues.set(key, { promptId, text: r.text, textHash, source: r.source, metadata: r.metadata, checkpointId: r.checkpointId ?? null });
        return key;
      }),
    );
  });
  const rv = [...responseValues.values()];
  const insertedResponses = await tx.execute<{ id: string; prompt_id: string; text_hash: string; source: string }>(sql`
    insert into responses (prompt_id, text, text_hash, source, metadata, checkpoint_id)
    select * from unnest(
      ${sql.param(rv.map((r) => r.promptId))}::uuid[], ${sql.param(rv.map((r) => r.text))}::text[], ${sql.param(rv.map((r) => r.textHash))}::text[],
      ${sql.param(rv.map((r) => r.source))}::text[], ${sql.param(rv.map((r) => JSON.stringify(r.metadata)))}::jsonb[],
      ${sql.param(rv.map((r) => r.checkpointId))}::uuid[])
    on conflict do nothing
    returning id, prompt_id, text_hash, source`);
  const responseIds = new Map(insertedResponses.map((r) => [keyOf(r.prompt_id, r.text_hash, r.source), r.id]));
  const missing = [...responseValues.entries()].filter(([k]) => !responseIds.has(k)).map(([, v]) => v);
  if (missing.length) {
    const found = await tx
      .select({ id: responses.id, promptId: responses.promptId, textHash: responses.textHash, source: responses.source })
      .from(responses)
      .where(and(inArray(responses.promptId, [...new Set(missing.map((m) => m.promptId))]), inArray(responses.textHash, missing.map((m) => m.textHash))));
    for (const r of found) responseIds.set(keyOf(r.promptId, r.textHash, r.source), r.id);
  }

  // 3. pairs, but for a response paired with itself.
  const pairValues: PairValue[] = [];
  let attempted = 0;
  rows.forEach((row, i) => {
    const promptId = promptIds.get(rowPromptHash[i]!)!;
    row.pairs.forEach((p, j) => {
      attempted++;
      const [keyA, keyB] = rowKeys[i]![j]!;
      const responseAId = responseIds.get(keyA!)!;
      const responseBId = responseIds.get(keyB!)!;
      if (responseAId !== responseBId) pairValues.push({ line: row.line, promptId, responseAId, responseBId, goldChoice: p.gold, priority: p.priority ?? 0 });
    });
  });
  return { pairs: pairValues, attempted };
}

/**
 * The conflict target of every insert into pairs: the unique index `pairs_campaign_pair_key` on the
 * unordered pair (db/schema.ts), so a pair whose A and B are another's swapped is skipped as that
 * pair, even when two imports race.
 */
export const onPairConflict = sql`on conflict (campaign_id, least(response_a_id, response_b_id), greatest(response_a_id, response_b_id)) where swap_of is null do nothing`;

/** The pairs' columns as arrays, for `unnest`. */
function pairColumns(pv: PairValue[]) {
  return sql`${sql.param(pv.map((p) => p.promptId))}::uuid[], ${sql.param(pv.map((p) => p.responseAId))}::uuid[],
    ${sql.param(pv.map((p) => p.responseBId))}::uuid[], ${sql.param(pv.map((p) => p.goldChoice ?? null))}::text[], ${sql.param(pv.map((p) => p.priority))}::real[]`;
}

async function insertBatch(tx: Tx, campaignId: string, rows: NormalRow[]): Promise<{ created: number; attempted: number }> {
  const { pairs: pv, attempted } = await insertPromptsAndResponses(tx, campaignId, rows);
  // In the rows' order, as importFile inserts: of a pair and its repeat (in either order) the
  // index keeps the first row's, with its A/B order, gold and priority.
  const created = pv.length
    ? (
        await tx.execute(sql`
          insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id, gold_choice, priority)
          select ${campaignId}::uuid, prompt_id, response_a_id, response_b_id, gold_choice, priority
          from unnest(${pairColumns(pv)}) with ordinality as u(prompt_id, response_a_id, response_b_id, gold_choice, priority, n) order by n
          ${onPairConflict}
          returning id`)
      ).length
    : 0;
  return { created, attempted };
}

/** Adds generated rows (the loop back from a trained policy) to a campaign in one transaction; each pair keeps its `priority` (default 0). */
export async function addRowsToCampaign({ campaignId, rows }: { campaignId: string; rows: NormalRow[] }): Promise<{ created: number; attempted: number }> {
  return db.transaction(async (tx) => {
    // The lock importFile holds (judgments are not blocked by it): an import checks its gold answers
    // against the campaign's pairs before it inserts, and a pair added between the two would take
    // the place of one of its rows without the conflict being reported.
    await tx.execute(sql`select id from campaigns where id = ${campaignId} for no key update`);
    let created = 0;
    let attempted = 0;
    for (let i = 0; i < rows.length; i += BATCH_ROWS) {
      const r = await insertBatch(tx, campaignId, rows.slice(i, i + BATCH_ROWS));
      created += r.created;
      attempted += r.attempted;
    }
    return { created, attempted };
  });
}

/**
 * The ignored keys as the audit event keeps them: an admin reading the log sees which columns were
 * dropped, in a bounded list, and how many other distinct keys there were. `keys` is the result's
 * list (the first 100), `keyCount` every distinct key counted (the list alone would undercount a
 * file with more than 100).
 */
function auditedKeys(keys: IgnoredKey[], { keyCount, capped }: { keyCount: number; capped: boolean }): { ignoredKeys?: { key: string; rows: number }[]; ignoredKeysNotListed?: number; ignoredKeysNotListedAtLeast?: true } {
  if (keys.length === 0) return {};
  const listed = keys.slice(0, MAX_AUDITED_KEYS).map(({ key, rows }) => ({ key, rows }));
  if (keyCount <= MAX_AUDITED_KEYS) return { ignoredKeys: listed };
  return { ignoredKeys: listed, ignoredKeysNotListed: keyCount - MAX_AUDITED_KEYS, ...(capped ? { ignoredKeysNotListedAtLeast: true as const } : {}) };
}

/** Distinct keys, counted exactly up to `cap` in bounded memory; `capped` once a key past the cap was not counted. */
export class DistinctKeys {
  private seen = new Set<string>();
  capped = false;
  constructor(private readonly cap = MAX_COUNTED_KEYS) {}
  add(key: string): void {
    // "#" and 64 hex digits is 65 characters: no key held as itself looks like a digest.
    const id = key.length > 64 ? `#${sha256(key)}` : key;
    if (this.seen.size < this.cap) this.seen.add(id);
    else if (!this.seen.has(id)) this.capped = true;
  }
  get count(): number {
    return this.seen.size;
  }
}

/**
 * Records that an import of the campaign was refused whole (`campaign.import_refused`), so the
 * audit log shows the attempt as it shows a `campaign.imported`: `reason` is `bad_lines` (with the
 * rows read, the bad lines and the first few reasons, cut short), `binary`, `empty` or, from the
 * API's upload, `too_large`. A refusal for a campaign that does not exist is answered as no such
 * campaign, and recorded nowhere.
 */
export async function recordImportRefused({ campaignId, actorId, details }: { campaignId: string; actorId: string | null; details: Record<string, unknown> }): Promise<void> {
  const [campaign] = await db.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.id, campaignId));
  if (!campaign) throw new AppError("not_found:campaign", "No such campaign.");
  await recordAudit({ actorId, action: "campaign.import_refused", targetType: "campaign", targetId: campaignId, details });
}

/**
 * The first reasons of a refusal as its audit event lists them (each error's line, rows and message,
 * cut short), and how many bad lines they leave out: counted from `errorCount`, every bad line, not
 * from the errors, which stop at the first 100 reasons.
 */
function auditedErrors(errors: ImportError[], errorCount: number): { errors: ImportError[]; badLinesNotListed?: number } {
  // Storable too, or the event's insert fails and the refusal becomes a 500: V8's JSON error quotes the bad line,
  // NUL and all, and the cut can split a surrogate pair; jsonb refuses both.
  const cut = (m: string) => toStorableText(m.length > MAX_AUDITED_MESSAGE ? `${m.slice(0, MAX_AUDITED_MESSAGE - 1)}…` : m);
  const listed = errors.slice(0, MAX_AUDITED_ERRORS).map((e) => ({ ...e, message: cut(e.message) }));
  const notListed = errorCount - listed.reduce((n, e) => n + (e.rows ?? 1), 0);
  return notListed > 0 ? { errors: listed, badLinesNotListed: notListed } : { errors: listed };
}

/**
 * The staged rows (import_pairs) that repeat a pair and whose gold answer the pair kept will not
 * have: read in the kept pair's A/B order (a swapped row's `a` is its `b`), another answer, or one
 * where the kept pair has none. The kept pair is the campaign's when it holds the pair already (the
 * insert skips every row of it), else the file's first row of it. Run before the insert, so the
 * campaign's pairs are those it held before the import, matched on the unordered pair the insert's
 * ON CONFLICT names, in one statement over the staging table. A repeat without gold is not
 * counted: it asks for the pair to be labelled, which the kept pair is.
 */
async function findGoldConflicts(tx: Tx, campaignId: string): Promise<Pick<ImportResult, "goldConflictCount" | "goldConflicts">> {
  const found = await tx.execute<{ total: number; line: number; gold: Choice; swapped: boolean; kept_line: number | null; kept_gold: Choice | null }>(sql`
    with staged as (
      select n, line, response_a_id as a, gold_choice as gold, least(response_a_id, response_b_id) as lo, greatest(response_a_id, response_b_id) as hi from import_pairs),
    firsts as (select distinct on (lo, hi) * from staged order by lo, hi, n),
    kept as (
      select f.lo, f.hi, f.n, case when p.id is null then f.line end as line, coalesce(p.response_a_id, f.a) as a, case when p.id is null then f.gold else p.gold_choice end as gold
      from firsts f
      left join pairs p on p.campaign_id = ${campaignId} and p.swap_of is null
        and least(p.response_a_id, p.response_b_id) = f.lo and greatest(p.response_a_id, p.response_b_id) = f.hi),
    conflicts as (
      select s.n, s.line, s.gold, s.a <> k.a as swapped, k.line as kept_line, k.gold as kept_gold
      from staged s join kept k on k.lo = s.lo and k.hi = s.hi
      where s.gold is not null and (k.line is null or s.n <> k.n)
        and k.gold is distinct from (case when s.a = k.a then s.gold when s.gold = 'a' then 'b' when s.gold = 'b' then 'a' else s.gold end))
    select count(*) over ()::int as total, line, gold, swapped, kept_line, kept_gold from conflicts order by n limit ${MAX_REPORTED_GOLD_CONFLICTS}`);
  return {
    goldConflictCount: found[0]?.total ?? 0,
    goldConflicts: found.map((c) => ({ line: c.line, gold: c.gold, swapped: c.swapped, keptLine: c.kept_line, keptGold: c.kept_gold })),
  };
}

async function validateImportFile({ file, options }: { file: string; options: ImportOptions }) {
  const refused = new RefusedLines();
  const ignored = new Map<string, IgnoredKey>();
  const distinct = new DistinctKeys();
  let rows = 0;
  for await (const parsed of readImportFile(file, options)) {
    rows++;
    if ("error" in parsed) {
      refused.add(parsed);
      continue;
    }
    for (const { key, suggestion } of parsed.ignored) {
      const seen = ignored.get(key);
      if (seen) seen.rows++;
      else if (ignored.size < MAX_REPORTED_KEYS) ignored.set(key, { key, rows: 1, firstLine: parsed.line, suggestion });
      distinct.add(key);
    }
  }
  return { rows, errors: refused.errors(rows), errorCount: refused.count, ignoredKeys: [...ignored.values()], ignoredKeyCount: { keyCount: distinct.count, capped: distinct.capped } };
}

export async function importFile({
  campaignId: typedCampaignId,
  file,
  options: rawOptions,
  actorId,
}: {
  campaignId: string;
  file: string;
  options: Partial<ImportOptions>;
  actorId: string | null;
}): Promise<ImportResult> {
  const options = importOptionsSchema.parse(rawOptions);
  // The API checks its path's id; the CLI passes what was typed (a name, say), which would fail the query.
  const campaignId = parseId(typedCampaignId, "campaign");
  if (await isBinaryFile(file)) {
    await recordImportRefused({ campaignId, actorId, details: { reason: "binary" } });
    throw new AppError("bad_request:binary_import", "The file is not UTF-8 text: it looks like binary data (an image, an archive, a spreadsheet) or text in another encoding such as UTF-16. Import JSONL or CSV saved as UTF-8.");
  }
  const check = await validateImportFile({ file, options });
  if (check.errorCount > 0) {
    await recordImportRefused({ campaignId, actorId, details: { reason: "bad_lines", rows: check.rows, errorCount: check.errorCount, ...auditedErrors(check.errors, check.errorCount) } });
    return { ok: false, rows: check.rows, pairsCreated: 0, duplicatesSkipped: 0, goldConflictCount: 0, goldConflicts: [], errorCount: check.errorCount, errors: check.errors, ignoredKeys: check.ignoredKeys };
  }
  if (check.rows === 0) {
    await recordImportRefused({ campaignId, actorId, details: { reason: "empty", rows: 0 } });
    throw new AppError("bad_request:empty_import", "The file has no rows.");
  }

  // Labelers keep working while a large import writes (100,000 rows took 33-37 s): the campaign's row
  // is held against other imports and edits but not against the key-share locks their judgments'
  // rows take, and the pairs, whose inserts update the campaign's judgment-count rows that each first
  // judgment of a pair updates too, are staged and written in one statement at the end.
  return db.transaction(async (tx) => {
    const [campaign] = await tx.execute<{ id: string }>(sql`select id from campaigns where id = ${campaignId} for no key update`);
    if (!campaign) throw new AppError("not_found:campaign", "No such campaign.");
    await tx.execute(sql`
      create temp table import_pairs (n bigserial, line int, prompt_id uuid, response_a_id uuid, response_b_id uuid, gold_choice text, priority real) on commit drop`);
    let attempted = 0;
    let batch: NormalRow[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const r = await insertPromptsAndResponses(tx, campaignId, batch);
      if (r.pairs.length) {
        await tx.execute(sql`
          insert into import_pairs (line, prompt_id, response_a_id, response_b_id, gold_choice, priority)
          select * from unnest(${sql.param(r.pairs.map((p) => p.line))}::int[], ${pairColumns(r.pairs)})`);
      }
      attempted += r.attempted;
      batch = [];
    };
    for await (const parsed of readImportFile(file, options)) {
      // The file was validated above; a line failing now means it changed underneath us.
      if ("error" in parsed) throw new AppError("conflict:import_changed", `Line ${parsed.line} changed during the import.`);
      batch.push(parsed.row);
      if (batch.length >= BATCH_ROWS) await flush();
    }
    await flush();
    const goldConflicts = await findGoldConflicts(tx, campaignId);
    const [inserted] = await tx.execute<{ n: number }>(sql`
      with created as (
        insert into pairs (campaign_id, prompt_id, response_a_id, response_b_id, gold_choice, priority)
        select ${campaignId}::uuid, prompt_id, response_a_id, response_b_id, gold_choice, priority from import_pairs order by n
        ${onPairConflict}
        returning 1)
      select count(*)::int as n from created`);
    const created = inserted!.n;
    const duplicatesSkipped = attempted - created;
    const details = { rows: check.rows, pairsCreated: created, duplicatesSkipped, goldConflictCount: goldConflicts.goldConflictCount, ...auditedKeys(check.ignoredKeys, check.ignoredKeyCount) };
    await recordAudit({ tx, actorId, action: "campaign.imported", targetType: "campaign", targetId: campaignId, details });
    return { ok: true, rows: check.rows, pairsCreated: created, duplicatesSkipped, ...goldConflicts, errorCount: 0, errors: [], ignoredKeys: check.ignoredKeys };
  });
}
