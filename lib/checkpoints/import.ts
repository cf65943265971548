/**
 * A checkpoint uploaded through the web app: the files of a Hugging Face GPT-2-family folder (a
 * model trained or fine-tuned in Python, a Pairwise download) as multipart/form-data. The files
 * are checked and saved by trainer/hf-import.ts, as `npm run trainer -- import-hf --register`
 * does on the server, then registered and audited.
 */
import "server-only";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";
import { byteLimit } from "@/lib/api/byte-limit";
import { recordAudit } from "@/lib/audit/audit";
import { findCheckpointByStoreKey, registerCheckpoint } from "@/lib/checkpoints/registry";
import { AppError } from "@/lib/errors";
import type { Checkpoint } from "@/db/schema";
import { FolderCheckpointStore } from "@/trainer/checkpoint";
import { CheckpointIdTakenError, CheckpointImportError, type ImportFileName, importFileNames, importHfFiles, readImportFiles } from "@/trainer/hf-import";
import { checkpointImportFieldsSchema } from "./schema";

/** Uploads above this are refused while streaming: a GPT-2 small in float32 is 0.5 GB. */
export const MAX_CHECKPOINT_UPLOAD_BYTES = 1024 ** 3;

const tooLarge = () => new AppError("payload_too_large", `Checkpoint uploads are limited to ${MAX_CHECKPOINT_UPLOAD_BYTES / 1024 ** 3} GB.`);
const notMultipart = () => new AppError("bad_request:checkpoint", "The body is not valid multipart/form-data.");

/**
 * Streams a multipart body into `dir`: the files the import reads, by their base name (a folder
 * picker sends "rm/config.json"); every other part is read past and dropped, so the body is never
 * held in memory. Returns the text fields. The whole body is refused once it passes the limit,
 * whatever content-length said.
 */
async function receiveParts(request: Request, contentType: string, dir: string): Promise<Record<string, string>> {
  if (Number(request.headers.get("content-length") ?? "0") > MAX_CHECKPOINT_UPLOAD_BYTES) throw tooLarge();
  if (!request.body) throw new AppError("bad_request:checkpoint", "Send the checkpoint's files as multipart/form-data.");
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: { "content-type": contentType }, limits: { fields: 16, fieldSize: 4096, parts: 10_000 } });
  } catch {
    throw notMultipart(); // no boundary, say
  }
  const fields: Record<string, string> = {};
  const writes: Promise<void>[] = [];
  const received = new Set<ImportFileName>();
  // A refusal waits for the end of the body: the parser keeps reading (and dropping) the parts.
  let refusal: AppError | undefined;
  // A part read past: the parser's own failure (a body cut short) rejects the pipeline below,
  // and must not also be an unhandled error on the part's stream.
  const drop = (stream: Readable) => stream.on("error", () => {}).resume();
  parser.on("field", (name, value) => {
    fields[name] = value;
  });
  parser.on("file", (field, stream, info) => {
    const name = (info.filename ?? "").split(/[\\/]/).pop() as ImportFileName;
    if (field !== "files" || !importFileNames.includes(name)) return drop(stream);
    if (received.has(name)) {
      refusal ??= new AppError("bad_request:checkpoint", `${name} was sent twice.`);
      return drop(stream);
    }
    received.add(name);
    writes.push(pipeline(stream, createWriteStream(path.join(dir, name))));
  });
  for (const limit of ["partsLimit", "fieldsLimit"] as const) {
    parser.on(limit, () => {
      refusal ??= new AppError("bad_request:checkpoint", "The form has too many parts: send the checkpoint's files and the fields name, kind and scoreToken.");
    });
  }
  try {
    await pipeline(Readable.fromWeb(request.body as import("node:stream/web").ReadableStream), byteLimit(MAX_CHECKPOINT_UPLOAD_BYTES, tooLarge), parser as Writable);
    await Promise.all(writes);
  } catch (err) {
    const settled = await Promise.allSettled(writes);
    if (err instanceof AppError) throw err;
    // A file that could not be written (a full disk) is the server's failure, not the body's.
    const written = settled.find((r): r is PromiseRejectedResult => r.status === "rejected" && Boolean((r.reason as NodeJS.ErrnoException).syscall));
    if (written) throw written.reason;
    throw notMultipart(); // busboy's "Unexpected end of form" and the like
  }
  if (refusal) throw refusal;
  return fields;
}

export async function importUploadedCheckpoint({ request, actorId }: { request: Request; actorId: string }): Promise<Checkpoint> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new AppError("bad_request:checkpoint", "Send the checkpoint's files as multipart/form-data: fields name, kind and scoreToken, and files (model.safetensors, config.json, tokenizer.json).");
  }
  const dir = await mkdtemp(path.join(tmpdir(), "pairwise-checkpoint-upload-"));
  try {
    const fields = await receiveParts(request, contentType, dir);
    return await importReceived(checkpointImportFieldsSchema.parse({ name: fields.name, kind: fields.kind, scoreToken: fields.scoreToken }), dir, actorId);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function importReceived(fields: ReturnType<typeof checkpointImportFieldsSchema.parse>, dir: string, actorId: string): Promise<Checkpoint> {
  const files = await readImportFiles(dir);
  if (!files["model.safetensors"] || !files["config.json"]) {
    throw new AppError("bad_request:checkpoint", "A checkpoint needs model.safetensors and config.json (and tokenizer.json unless it uses GPT-2's own tokenizer). A folder with pytorch_model.bin only: save it again with save_pretrained(safe_serialization=True).");
  }
  if (await findCheckpointByStoreKey({ storeKey: fields.name })) throw new AppError("conflict:checkpoint_name", `A checkpoint named ${fields.name} exists already; choose another name.`);

  const store = new FolderCheckpointStore();
  let record;
  try {
    record = await importHfFiles(files, store, fields.name, { kind: fields.kind || undefined, scoreToken: fields.scoreToken, trainingConfig: { source: "upload" } });
  } catch (err) {
    if (err instanceof CheckpointIdTakenError) throw new AppError("conflict:checkpoint_name", `A checkpoint named ${fields.name} exists already; choose another name.`);
    if (err instanceof CheckpointImportError) throw new AppError("bad_request:checkpoint", `Not imported: ${err.message}.`);
    throw err;
  }
  const row = await registerCheckpoint({ record });
  await recordAudit({ actorId, action: "checkpoint.imported", targetType: "checkpoint", targetId: row.id, details: { name: row.name, kind: row.kind, sizeBytes: row.sizeBytes } });
  return row;
}
