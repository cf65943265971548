/**
 * A checkpoint uploaded through the web app: the files of a Hugging Face GPT-2-family folder (a
 * model trained or fine-tuned in Python, a Pairwise download) as multipart/form-data. The files
 * are checked and saved by trainer/hf-import.ts, as `npm run trainer -- import-hf --register`
 * does on the server, then registered and audited.
 */
import "server-only";
import { recordAudit } from "@/lib/audit/audit";
import { findCheckpointByStoreKey, registerCheckpoint } from "@/lib/checkpoints/registry";
import { AppError } from "@/lib/errors";
import type { Checkpoint } from "@/db/schema";
import { FolderCheckpointStore } from "@/trainer/checkpoint";
import { CheckpointIdTakenError, CheckpointImportError, importFileNames, importHfFiles } from "@/trainer/hf-import";
import { checkpointImportFieldsSchema } from "./schema";

/** Uploads above this are refused while streaming: a GPT-2 small in float32 is 0.5 GB. */
export const MAX_CHECKPOINT_UPLOAD_BYTES = 1024 ** 3;

const tooLarge = () => new AppError("payload_too_large", `Checkpoint uploads are limited to ${MAX_CHECKPOINT_UPLOAD_BYTES / 1024 ** 3} GB.`);

/** The body, refused once it passes the limit (whatever content-length said). */
async function readLimited(request: Request): Promise<Blob> {
  if (Number(request.headers.get("content-length") ?? "0") > MAX_CHECKPOINT_UPLOAD_BYTES) throw tooLarge();
  if (!request.body) throw new AppError("bad_request:checkpoint", "Send the checkpoint's files as multipart/form-data.");
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let seen = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array<ArrayBuffer>>) {
    seen += chunk.length;
    if (seen > MAX_CHECKPOINT_UPLOAD_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return new Blob(chunks);
}

export async function importUploadedCheckpoint({ request, actorId }: { request: Request; actorId: string }): Promise<Checkpoint> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new AppError("bad_request:checkpoint", "Send the checkpoint's files as multipart/form-data: fields name, kind and scoreToken, and files (model.safetensors, config.json, tokenizer.json).");
  }
  const body = await readLimited(request);
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw new AppError("bad_request:checkpoint", "The body is not valid multipart/form-data.");
  }
  const field = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v : undefined;
  };
  const fields = checkpointImportFieldsSchema.parse({ name: field("name"), kind: field("kind"), scoreToken: field("scoreToken") });

  // Files by name: the folder's other files (tokenizer_config.json, pairwise.json, README.md …) are not read.
  const files: Partial<Record<(typeof importFileNames)[number], Uint8Array>> = {};
  for (const entry of form.getAll("files")) {
    if (typeof entry === "string") continue;
    const name = entry.name.split(/[\\/]/).pop() as (typeof importFileNames)[number];
    if (!importFileNames.includes(name)) continue;
    if (files[name]) throw new AppError("bad_request:checkpoint", `${name} was sent twice.`);
    files[name] = new Uint8Array(await entry.arrayBuffer());
  }
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
