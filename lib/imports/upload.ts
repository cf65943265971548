import "server-only";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { byteLimit } from "@/lib/api/byte-limit";
import { AppError } from "@/lib/errors";

/** Uploads above this are refused while streaming, before they fill the disk. */
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

const tooLarge = () => new AppError("payload_too_large", `Imports are limited to ${MAX_IMPORT_BYTES / 2 ** 20} MB.`);

/**
 * Streams a request body to a temporary file (an import reads the file twice: validate,
 * then insert), hands it to `consume`, and removes it.
 */
export async function withUploadedFile<T>(request: Request, consume: (file: string) => Promise<T>): Promise<T> {
  if (!request.body) throw new AppError("bad_request:empty_import", "Send the file as the request body.");
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_IMPORT_BYTES) throw tooLarge();
  const dir = await mkdtemp(path.join(tmpdir(), "pairwise-upload-"));
  const file = path.join(dir, "upload");
  try {
    await pipeline(Readable.fromWeb(request.body as import("node:stream/web").ReadableStream), byteLimit(MAX_IMPORT_BYTES, tooLarge), createWriteStream(file));
    return await consume(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
