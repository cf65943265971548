/**
 * A POSIX ustar stream of whole files, with fixed owner, mode and time so that the same
 * files give the same bytes. Written here rather than with a tar library: the project's
 * one new dependency went to Parquet, and a header is a few fields. Tests extract the
 * output with the system's `tar`.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";

const BLOCK = 512;

export type TarEntry = { name: string } & ({ data: Uint8Array } | { path: string });

function header(name: string, size: number, mtimeSeconds: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  let prefix = "";
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf("/", 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`tar: name too long: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  const put = (offset: number, length: number, value: string) => h.write(value, offset, length, "utf8");
  const octal = (offset: number, length: number, value: number) => put(offset, length - 1, value.toString(8).padStart(length - 1, "0"));
  put(0, 100, base);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, mtimeSeconds);
  h.fill(" ", 148, 156); // checksum is computed with its own field as spaces
  put(156, 1, "0");
  put(257, 6, "ustar\0");
  put(263, 2, "00");
  put(345, 155, prefix);
  let sum = 0;
  for (const byte of h) sum += byte;
  put(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

/** The tar bytes of these entries, in order; files on disk are streamed, not read whole. */
export async function* tarStream(entries: TarEntry[], { mtime }: { mtime: Date }): AsyncGenerator<Uint8Array> {
  const seconds = Math.floor(mtime.getTime() / 1000);
  for (const entry of entries) {
    const size = "data" in entry ? entry.data.byteLength : (await stat(entry.path)).size;
    yield header(entry.name, size, seconds);
    if ("data" in entry) yield entry.data;
    else yield* createReadStream(entry.path, { highWaterMark: 1 << 20 });
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (pad) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(2 * BLOCK);
}
