import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { closedToPostgresUser, runningEmbeddedUrl, startEmbeddedPostgres } from "./embedded";

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

describe("startEmbeddedPostgres", () => {
  // Under the project, not a 0700 temp folder: as root, the server runs as `postgres`.
  mkdirSync(".data/test", { recursive: true });
  const dataDir = mkdtempSync(path.resolve(".data/test/embedded-"));
  chmodSync(dataDir, 0o755);
  const needsServer = it.skipIf(closedToPostgresUser(dataDir) !== undefined);

  needsServer("makes the app's database on the start after one that failed with the cluster made (its port was taken)", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(54344, "127.0.0.1", resolve));
    try {
      await expect(startEmbeddedPostgres({ dataDir, port: 54344, log: () => {} })).rejects.toThrow(/failed to start on port 54344[\s\S]*set EMBEDDED_PG_PORT/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    const server = await startEmbeddedPostgres({ dataDir, port: 54345, log: () => {} });
    const sql = postgres(server.url, { max: 1, onnotice: () => {} });
    try {
      expect((await sql<{ db: string }[]>`select current_database() as db`)[0]!.db).toBe("pairwise");
    } finally {
      await sql.end({ timeout: 5 });
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
