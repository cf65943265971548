/**
 * A streaming, store-only (uncompressed) ZIP of whole files, with fixed times and modes so the
 * same files give the same bytes. Written here rather than with a zip library for the reason
 * tar.ts gives; the format's parts are three small records (APPNOTE.TXT 4.3).
 *
 * Each entry's CRC-32 and size are known before its local header is written (data in memory,
 * or a file read once for its CRC and again for its bytes), so no data descriptor is needed:
 * streaming readers (Java's ZipInputStream, for one) cannot find the end of a stored entry
 * that has one. Safetensors are dense floats: deflate shrinks the demo model's by 7.4%
 * (`npm run bench:checkpoint-upload` prints it first).
 *
 * No ZIP64: an entry, or the offset of the central directory, at or over 4 GiB, or more than
 * 65,535 entries, fails the stream with an error rather than writing a wrong field. A checkpoint
 * reaches that at about a billion float32 parameters, far beyond what the tfjs trainer makes.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { crc32 } from "node:zlib";

export type ZipEntry = { name: string } & ({ data: Uint8Array } | { path: string });

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
/** Version 1.0: stored entries, no directories, no ZIP64. */
const VERSION_NEEDED = 10;
/** Made by: Unix (3) spec 2.0, so the external attributes carry a Unix mode. */
const VERSION_MADE_BY = (3 << 8) | 20;
/** General-purpose bit 11: the name is UTF-8. */
const FLAG_UTF8 = 1 << 11;
/** A regular file, rw-r--r--, in the high 16 bits of the external attributes. */
const EXTERNAL_ATTRIBUTES = (0o100644 << 16) >>> 0;
const MAX_32 = 0xffffffff;
const MAX_ENTRIES = 0xffff;

/** MS-DOS date and time of `when` in UTC (DOS times have no zone; UTC keeps the bytes the same on every server). */
export function dosDateTime(when: Date): { date: number; time: number } {
  const d = when.getUTCFullYear() < 1980 ? new Date(Date.UTC(1980, 0, 1)) : when;
  return {
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
  };
}

type Described = { name: Buffer; crc: number; size: number; offset: number };

function localHeader(e: Described, when: { date: number; time: number }): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(LOCAL_HEADER, 0);
  h.writeUInt16LE(VERSION_NEEDED, 4);
  h.writeUInt16LE(FLAG_UTF8, 6);
  h.writeUInt16LE(0, 8); // method 0: stored
  h.writeUInt16LE(when.time, 10);
  h.writeUInt16LE(when.date, 12);
  h.writeUInt32LE(e.crc, 14);
  h.writeUInt32LE(e.size, 18); // compressed size = size when stored
  h.writeUInt32LE(e.size, 22);
  h.writeUInt16LE(e.name.length, 26);
  h.writeUInt16LE(0, 28); // no extra field
  return Buffer.concat([h, e.name]);
}

function centralHeader(e: Described, when: { date: number; time: number }): Buffer {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(CENTRAL_HEADER, 0);
  h.writeUInt16LE(VERSION_MADE_BY, 4);
  h.writeUInt16LE(VERSION_NEEDED, 6);
  h.writeUInt16LE(FLAG_UTF8, 8);
  h.writeUInt16LE(0, 10);
  h.writeUInt16LE(when.time, 12);
  h.writeUInt16LE(when.date, 14);
  h.writeUInt32LE(e.crc, 16);
  h.writeUInt32LE(e.size, 20);
  h.writeUInt32LE(e.size, 24);
  h.writeUInt16LE(e.name.length, 28);
  // 30 extra length, 32 comment length, 34 disk number, 36 internal attributes: all 0
  h.writeUInt32LE(EXTERNAL_ATTRIBUTES, 38);
  h.writeUInt32LE(e.offset, 42);
  return Buffer.concat([h, e.name]);
}

function endOfCentralDirectory(count: number, size: number, offset: number): Buffer {
  const h = Buffer.alloc(22);
  h.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  // 4 this disk, 6 disk of the central directory: 0
  h.writeUInt16LE(count, 8);
  h.writeUInt16LE(count, 10);
  h.writeUInt32LE(size, 12);
  h.writeUInt32LE(offset, 16);
  // 20 comment length: 0
  return h;
}

/** CRC-32 of a file on disk, read in 1 MiB chunks. */
async function fileCrc32(path: string): Promise<number> {
  let crc = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) crc = crc32(chunk as Buffer, crc);
  return crc;
}

function checkName(name: string): Buffer {
  if (!name || name.startsWith("/") || name.split("/").includes("..") || name.includes("\\")) throw new Error(`zip: unsafe entry name: ${name}`);
  const bytes = Buffer.from(name, "utf8");
  if (bytes.length > 0xffff) throw new Error(`zip: name too long: ${name}`);
  return bytes;
}

/** The ZIP bytes of these entries, in order; files on disk are streamed, not read whole. */
export async function* zipStream(entries: ZipEntry[], { mtime }: { mtime: Date }): AsyncGenerator<Uint8Array> {
  if (entries.length > MAX_ENTRIES) throw new Error(`zip: ${entries.length} entries; more than ${MAX_ENTRIES} needs ZIP64`);
  const when = dosDateTime(mtime);
  const written: Described[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = checkName(entry.name);
    const size = "data" in entry ? entry.data.byteLength : (await stat(entry.path)).size;
    if (size >= MAX_32 || offset >= MAX_32) throw new Error(`zip: ${entry.name} does not fit a ZIP without ZIP64 (4 GiB)`);
    const crc = "data" in entry ? crc32(entry.data) : await fileCrc32(entry.path);
    const described = { name, crc, size, offset };
    const header = localHeader(described, when);
    yield header;
    if ("data" in entry) yield entry.data;
    else if (size > 0) {
      // The file is read a second time: a change since the first read would make a corrupt entry, so it fails the stream.
      let streamed = 0;
      let check = 0;
      for await (const chunk of createReadStream(entry.path, { highWaterMark: 1 << 20, end: size - 1 })) {
        streamed += (chunk as Buffer).length;
        check = crc32(chunk as Buffer, check);
        yield chunk as Buffer;
      }
      if (streamed !== size || check !== crc) throw new Error(`zip: ${entry.name} changed while it was being written`);
    }
    offset += header.length + size;
    written.push(described);
  }
  const directory = Buffer.concat(written.map((e) => centralHeader(e, when)));
  if (offset >= MAX_32 || directory.length >= MAX_32) throw new Error("zip: the archive does not fit a ZIP without ZIP64 (4 GiB)");
  yield directory;
  yield endOfCentralDirectory(written.length, directory.length, offset);
}
