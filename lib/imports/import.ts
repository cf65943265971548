/**
 * Imports a file of pairs into a campaign. Pass 1 validates every line and collects the
 * bad ones; any bad line refuses the whole file and nothing is written. Pass 2 inserts
 * in batches inside one transaction, so an import is all or nothing, with memory flat in
 * the file's size.
 */
import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import { db } from "@/db/client";
import { pairs, prompts, responses } from "@/db/schema";
import { recordAudit } from "@/lib/audit/audit";
import { AppError } from "@/lib/errors";
import { promptHash, sha256 } from "@/lib/seed/demo";
import { readImportFile, type NormalResponse, type NormalRow } from "./parse";
import { importOptionsSchema, type ImportError, type ImportOptions, type ImportResult } from "./schema";

const BATCH_ROWS = 500;
const MAX_REPORTED_ERRORS = 100;

type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];

async function insertBatch(tx: Tx, campaignId: string, rows: NormalRow[]): Promise<{ created: number; attempted: number }> {
  // 1. prompts, unique per campaign by content hash
  const promptValues = new Map<string, NormalRow["prompt"]>();
  for (const r of rows) promptValues.set(promptHash(r.prompt), r.prompt);
  await tx
    .insert(prompts)
    .values([...promptValues].map(([contentHash, content]) => ({ campaignId, content, contentHash })))
    .onConflictDoNothing();
  const promptIds = new Map(
    (
      await tx
        .select({ id: prompts.id, hash: prompts.contentHash })
        .from(prompts)
        .where(and(eq(prompts.campaignId, campaignId), inArray(prompts.contentHash, [...promptValues.keys()])))
    ).map((p) => [p.hash, p.id]),
  );

  // 2. responses, unique per prompt by (text hash, source)
  const key = (promptId: string, r: NormalResponse) => `${promptId}|${sha256(r.text)}|${r.source}`;
  const responseValues = new Map<string, { promptId: string; text: string; textHash: string; source: string; metadata: Record<string, unknown> }>();
  for (const row of rows) {
    const promptId = promptIds.get(promptHash(row.prompt))!;
    for (const p of row.pairs) {
      for (const r of [p.a, p.b]) responseValues.set(key(promptId, r), { promptId, text: r.text, textHash: sha256(r.text), source: r.source, metadata: r.metadata });
    }
  }
  await tx.insert(responses).values([...responseValues.values()]).onConflictDoNothing();
  const responseIds = new Map(
    (
      await tx
        .select({ id: responses.id, promptId: responses.promptId, textHash: responses.textHash, source: responses.source })
        .from(responses)
        .where(inArray(responses.promptId, [...new Set(promptIds.values())]))
    ).map((r) => [`${r.promptId}|${r.textHash}|${r.source}`, r.id]),
  );

  // 3. pairs; an exact duplicate (same campaign, same A, same B) is skipped and counted
  const pairValues = new Map<string, typeof pairs.$inferInsert>();
  let attempted = 0;
  for (const row of rows) {
    const promptId = promptIds.get(promptHash(row.prompt))!;
    for (const p of row.pairs) {
      attempted++;
      const responseAId = responseIds.get(key(promptId, p.a))!;
      const responseBId = responseIds.get(key(promptId, p.b))!;
      if (responseAId === responseBId) continue;
      pairValues.set(`${responseAId}|${responseBId}`, { campaignId, promptId, responseAId, responseBId, goldChoice: p.gold });
    }
  }
  const created = pairValues.size
    ? (await tx.insert(pairs).values([...pairValues.values()]).onConflictDoNothing().returning({ id: pairs.id })).length
    : 0;
  return { created, attempted };
}

export async function validateImportFile({ file, options }: { file: string; options: ImportOptions }) {
  const errors: ImportError[] = [];
  let errorCount = 0;
  let rows = 0;
  for await (const parsed of readImportFile(file, options)) {
    rows++;
    if ("error" in parsed) {
      errorCount++;
      if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line: parsed.line, message: parsed.error });
    }
  }
  return { rows, errors, errorCount };
}

export async function importFile({
  campaignId,
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
  const check = await validateImportFile({ file, options });
  if (check.errorCount > 0) return { ok: false, rows: check.rows, pairsCreated: 0, duplicatesSkipped: 0, errorCount: check.errorCount, errors: check.errors };
  if (check.rows === 0) throw new AppError("bad_request:empty_import", "The file has no rows.");

  return db.transaction(async (tx) => {
    const [campaign] = await tx.execute<{ id: string }>(sql`select id from campaigns where id = ${campaignId} for update`);
    if (!campaign) throw new AppError("not_found:campaign", "No such campaign.");
    let created = 0;
    let attempted = 0;
    let batch: NormalRow[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const r = await insertBatch(tx, campaignId, batch);
      created += r.created;
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
    await recordAudit({ tx, actorId, action: "campaign.imported", targetType: "campaign", targetId: campaignId, details: { rows: check.rows, pairsCreated: created } });
    return { ok: true, rows: check.rows, pairsCreated: created, duplicatesSkipped: attempted - created, errorCount: 0, errors: [] };
  });
}
