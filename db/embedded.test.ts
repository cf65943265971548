import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runningEmbeddedUrl } from "./embedded";

/** A data folder whose pg/postmaster.pid names `pid` and `port` in PostgreSQL's line order. */
function dataDirWith(pid: number, port: number): string {
  const dataDir = mkdtempSync(path.join(tmpdir(), "pairwise-embedded-"));
  mkdirSync(path.join(dataDir, "pg"));
  writeFileSync(path.join(dataDir, "pg", "postmaster.pid"), `${pid}\n${dataDir}/pg\n1764190000\n${port}\n\n127.0.0.1\n`);
  return dataDir;
}

describe("runningEmbeddedUrl", () => {
  it("reads the port of a live server from its postmaster.pid", () => {
    expect(runningEmbeddedUrl(dataDirWith(process.pid, 54377))).toBe("postgres://pairwise:pairwise@127.0.0.1:54377/pairwise");
  });
  it("is null when the pid is not running, the file is missing, or the port line is not a port", () => {
    expect(runningEmbeddedUrl(dataDirWith(2 ** 22 + 1, 54377))).toBeNull();
    expect(runningEmbeddedUrl(mkdtempSync(path.join(tmpdir(), "pairwise-embedded-")))).toBeNull();
    expect(runningEmbeddedUrl(dataDirWith(process.pid, 0))).toBeNull();
  });
});
