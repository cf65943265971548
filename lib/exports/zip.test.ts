import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dosDateTime, zipStream, type ZipEntry } from "./zip";

async function collect(entries: ZipEntry[], mtime = new Date("2024-05-06T07:08:10Z")): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of zipStream(entries, { mtime })) parts.push(part);
  return Buffer.concat(parts);
}

/** Walks the local headers front to back, as a streaming reader does, without the central directory. */
function readSequentially(zip: Buffer): Array<{ name: string; data: Buffer; crc: number; flags: number }> {
  const out = [];
  let at = 0;
  while (zip.readUInt32LE(at) === 0x04034b50) {
    const flags = zip.readUInt16LE(at + 6);
    const crc = zip.readUInt32LE(at + 14);
    const size = zip.readUInt32LE(at + 18);
    const nameLength = zip.readUInt16LE(at + 26);
    const extraLength = zip.readUInt16LE(at + 28);
    const start = at + 30 + nameLength + extraLength;
    out.push({ name: zip.subarray(at + 30, at + 30 + nameLength).toString("utf8"), data: zip.subarray(start, start + size), crc, flags });
    at = start + size;
  }
  expect(zip.readUInt32LE(at)).toBe(0x02014b50); // the central directory follows the last entry
  return out;
}

describe("zipStream", () => {
  let dir: string;
  const onDisk = randomBytes(3 * (1 << 20) + 17); // more than one 1 MiB read chunk
  const entries = (): ZipEntry[] => [
    { name: "ckpt/model.safetensors", path: path.join(dir, "model.bin") },
    { name: "ckpt/config.json", data: Buffer.from('{"model_type":"gpt2"}\n') },
    { name: "ckpt/empty.txt", data: new Uint8Array() },
    { name: "ckpt/empty-on-disk.txt", path: path.join(dir, "empty.bin") },
    { name: "ckpt/ünïcødé 名前.json", data: Buffer.from("[1,2,3]") },
    { name: "ckpt/check.txt", data: Buffer.from("123456789") },
  ];
  const expected = () => new Map<string, Buffer>([
    ["ckpt/model.safetensors", onDisk],
    ["ckpt/config.json", Buffer.from('{"model_type":"gpt2"}\n')],
    ["ckpt/empty.txt", Buffer.alloc(0)],
    ["ckpt/empty-on-disk.txt", Buffer.alloc(0)],
    ["ckpt/ünïcødé 名前.json", Buffer.from("[1,2,3]")],
    ["ckpt/check.txt", Buffer.from("123456789")],
  ]);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "pairwise-zip-"));
    await writeFile(path.join(dir, "model.bin"), onDisk);
    await writeFile(path.join(dir, "empty.bin"), "");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("is tested whole by unzip and by Python's zipfile, and both extract every file byte for byte", async () => {
    const file = path.join(dir, "out.zip");
    await writeFile(file, await collect(entries()));
    expect(execFileSync("unzip", ["-t", file], { encoding: "utf8" })).toMatch(/No errors detected in compressed data/);
    expect(execFileSync("python3", ["-m", "zipfile", "-t", file], { encoding: "utf8" })).toMatch(/Done testing/);
    const listed = execFileSync("python3", ["-c", "import sys, zipfile, json; print(json.dumps([[i.filename, i.file_size, i.compress_type] for i in zipfile.ZipFile(sys.argv[1]).infolist()]))", file], { encoding: "utf8" });
    expect(JSON.parse(listed)).toEqual([...expected()].map(([name, data]) => [name, data.length, 0]));

    for (const [tool, args] of [
      ["unzip", (to: string) => ["-q", file, "-d", to]],
      ["python3", (to: string) => ["-m", "zipfile", "-e", file, to]],
    ] as const) {
      const to = path.join(dir, `x-${tool}`);
      execFileSync(tool, args(to));
      for (const [name, data] of expected()) expect((await readFile(path.join(to, name))).equals(data), `${tool}: ${name}`).toBe(true);
    }
  });

  it("puts CRC-32 and sizes in each local header, so a streaming reader needs no data descriptor", async () => {
    const entriesRead = readSequentially(await collect(entries()));
    expect(entriesRead.map((e) => e.name)).toEqual([...expected().keys()]);
    for (const e of entriesRead) {
      expect(e.data.equals(expected().get(e.name)!)).toBe(true);
      expect(e.flags).toBe(1 << 11); // UTF-8 names; bit 3 (data descriptor) clear
    }
    // The CRC-32 check value of "123456789" (the standard test vector).
    expect(entriesRead.find((e) => e.name === "ckpt/check.txt")!.crc).toBe(0xcbf43926);
  });

  it("gives the same bytes for the same files, and stamps the given time", async () => {
    const [a, b] = [await collect(entries()), await collect(entries())];
    expect(a.equals(b)).toBe(true);
    const info = execFileSync("python3", ["-c", "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).infolist()[0].date_time)", path.join(dir, "out.zip")], { encoding: "utf8" });
    expect(info.trim()).toBe("(2024, 5, 6, 7, 8, 10)");
    expect(dosDateTime(new Date("1970-01-01T00:00:00Z"))).toEqual({ date: (0 << 9) | (1 << 5) | 1, time: 0 });
  });

  it("refuses a file of 4 GiB, which needs ZIP64, before writing any of it", async () => {
    const huge = path.join(dir, "huge.bin");
    await writeFile(huge, "");
    await truncate(huge, 2 ** 32); // sparse: no disk used
    const parts: Uint8Array[] = [];
    await expect(
      (async () => {
        for await (const part of zipStream([{ name: "huge.bin", path: huge }], { mtime: new Date() })) parts.push(part);
      })(),
    ).rejects.toThrow(/does not fit a ZIP without ZIP64/);
    expect(parts).toEqual([]);
  });

  it("refuses names that would escape the folder they are extracted into", async () => {
    for (const name of ["/etc/passwd", "a/../../b", "a\\b", ""]) {
      await expect(collect([{ name, data: Buffer.from("x") }])).rejects.toThrow(/unsafe entry name/);
    }
  });
});
