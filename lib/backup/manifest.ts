/** backup.json: what a backup folder holds, how it was made, and a SHA-256 of each file. */
import "server-only";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

export const MANIFEST_FILE = "backup.json";

const manifestSchema = z.object({
  formatVersion: z.literal(1),
  createdAt: z.string(),
  app: z.object({ name: z.string(), version: z.string() }),
  database: z.object({
    /** pg_dump: `database.dump` is a pg_dump -Fc archive. copy: `tables/<name>.copy`, COPY text format, loaded after this build's migrations. */
    method: z.enum(["pg_dump", "copy"]),
    serverMajor: z.number(),
    pgDumpMajor: z.number().nullable(),
    /** Applied drizzle migrations (hashes, in order). */
    migrations: z.array(z.string()),
    /** Rows per table when the backup was taken, checked again after a restore. */
    rowCounts: z.record(z.string(), z.number()),
    /** copy method: each table's columns, in file order. */
    columns: z.record(z.string(), z.array(z.string())).optional(),
  }),
  checkpoints: z.object({ sourceDir: z.string(), files: z.number() }).nullable(),
  /** SHA-256 of every file in the folder but this one. */
  files: z.record(z.string(), z.string()),
});
export type Manifest = z.infer<typeof manifestSchema>;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Reads and checks a backup folder's manifest and the hashes of its files. */
export async function readManifest(dir: string): Promise<Manifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), "utf8"));
  } catch (err) {
    throw new Error(`${dir} is not a Pairwise backup: ${MANIFEST_FILE} is missing or not JSON (${(err as Error).message}).`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path.join(dir, MANIFEST_FILE)} is not a backup manifest this version reads: ${parsed.error.issues[0]?.message}`);
  for (const [name, expected] of Object.entries(parsed.data.files)) {
    const actual = await sha256File(path.join(dir, name)).catch(() => "missing");
    if (actual !== expected) throw new Error(`The backup is damaged: ${name} is ${actual === "missing" ? "missing" : "not the file that was backed up (SHA-256 differs)"}.`);
  }
  return parsed.data;
}
