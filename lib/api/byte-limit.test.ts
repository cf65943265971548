import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { expect, it } from "vitest";
import { byteLimit } from "./byte-limit";

const through = async (chunks: string[], max: number) => {
  const out: Buffer[] = [];
  const sink = new Writable({ write: (c: Buffer, _e, done) => void (out.push(c), done()) });
  await pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), byteLimit(max, () => new Error(`over ${max}`)), sink);
  return Buffer.concat(out).toString();
};

it("passes a body up to the limit unchanged and fails one past it, counting across chunks", async () => {
  expect(await through(["abc", "de"], 5)).toBe("abcde");
  await expect(through(["abc", "def"], 5)).rejects.toThrow("over 5");
});
