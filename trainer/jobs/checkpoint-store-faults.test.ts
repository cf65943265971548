/**
 * A checkpoint store that cannot be written (read-only folder, full disk), through the real
 * worker loop, a real pretrain job, the real folder store and Postgres: the run fails with a
 * reason naming the store, no checkpoint row is registered, and no folder is left behind.
 * The file-system faults are injected under one temporary root: as root (containers, CI) a
 * chmod'ed folder is still writable, and a small file system needs a mount.
 * bench/faults/checkpoint-store.ts does the same against a real read-only and a real full tmpfs.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { and, eq, like, or } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/db/client";
import { checkpoints, runs } from "@/db/schema";
import { enqueueRun, waitForRun } from "@/lib/runs/queue";
import { startTestWorker } from "@/lib/testing/worker";
import { initBackend } from "../backend";
import { lmFixture } from "../lm-testing";
import { pretrain } from "./pretrain";

const fault = vi.hoisted(() => ({ root: "", mode: "none" as "none" | "read-only" | "full", bytesLeft: 0 }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  const under = (p: unknown) => fault.mode !== "none" && typeof p === "string" && p.startsWith(fault.root + path.sep);
  const errno = (code: string, syscall: string, p: string) =>
    Object.assign(new Error(`${code}: ${code === "EROFS" ? "read-only file system" : "no space left on device"}, ${syscall} '${p}'`), { code, syscall, path: p });
  const guarded = {
    ...real,
    mkdir: (async (p, options) => {
      if (under(p) && fault.mode === "read-only") {
        // What Node reports on a read-only file system: a recursive mkdir says ENOENT.
        const recursive = typeof options === "object" && options?.recursive;
        throw recursive ? Object.assign(new Error(`ENOENT: no such file or directory, mkdir '${String(p)}'`), { code: "ENOENT" }) : errno("EROFS", "mkdir", String(p));
      }
      return real.mkdir(p, options);
    }) as typeof real.mkdir,
    writeFile: (async (p, data, options) => {
      if (!under(p)) return real.writeFile(p, data, options);
      if (fault.mode === "read-only") throw errno("EROFS", "open", String(p));
      // A full disk: the bytes that fit are really written, then the write fails.
      const bytes = data as Uint8Array;
      const fits = Math.min(bytes.length, fault.bytesLeft);
      fault.bytesLeft -= fits;
      await real.writeFile(p, bytes.subarray(0, fits), options);
      if (fits < bytes.length) throw errno("ENOSPC", "write", String(p));
    }) as typeof real.writeFile,
  };
  return { ...guarded, default: guarded };
});

const root = vi.hoisted(() => ({ dir: "" }));
vi.mock("../checkpoint", async (importOriginal) => {
  const real = await importOriginal<typeof import("../checkpoint")>();
  class FaultyRootStore extends real.FolderCheckpointStore {
    constructor(dir?: string) {
      super(dir ?? root.dir);
    }
  }
  return { ...real, FolderCheckpointStore: FaultyRootStore };
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true }).catch(() => []);
  return entries.map(String).sort();
}

describe("checkpoint store faults (real worker loop and Postgres)", () => {
  let fx: Awaited<ReturnType<typeof lmFixture>>;
  beforeAll(async () => {
    await initBackend("wasm");
    fx = await lmFixture();
  });
  const roots: string[] = [];
  afterAll(async () => {
    fault.mode = "none";
    await fx.cleanup();
    await Promise.all(roots.map((r) => fs.rm(r, { recursive: true, force: true })));
  });

  async function runWithFault(mode: "read-only" | "full") {
    root.dir = await fs.mkdtemp(path.join(os.tmpdir(), `pairwise-store-${mode}-`));
    roots.push(root.dir);
    Object.assign(fault, { root: root.dir, mode, bytesLeft: 8 * 1024 });
    const kind = `pretrain-fault-${Math.random().toString(36).slice(2)}`;
    const worker = await startTestWorker({ [kind]: pretrain }, { backend: "wasm" });
    const config = { corpus: fx.corpus, heldout: fx.heldout, vocabSize: 300, tokenizerChars: 0, contextLength: 32, layers: 1, heads: 2, dModel: 16, batch: 4, lr: 1e-2, warmupSteps: 2, steps: 6, saveEvery: 2, evalEvery: 3, evalWindows: 4 };
    const queued = await enqueueRun({ kind, config });
    const run = await waitForRun({ runId: queued.id, timeoutMs: 60_000, pollMs: 50 });
    await worker.stop();
    const out = `${kind}-${queued.id.slice(0, 8)}`;
    const rows = await db
      .select({ id: checkpoints.id })
      .from(checkpoints)
      .where(or(eq(checkpoints.runId, queued.id), like(checkpoints.storeKey, `${out}%`)));
    const running = await db.select({ id: runs.id }).from(runs).where(and(eq(runs.workerId, worker.id), eq(runs.status, "running")));
    return { run, out, rows, running, left: await filesUnder(root.dir) };
  }

  it("fails the run with the store's reason when the folder is read-only, and registers nothing", async () => {
    const { run, out, rows, running, left } = await runWithFault("read-only");
    expect(run?.status).toBe("failed");
    expect(run?.error).toContain(`The checkpoint store could not write ${out}-resume in ${root.dir}: the folder is on a read-only file system (EROFS). Nothing was saved.`);
    expect(run?.outputCheckpointId).toBeNull();
    expect(rows).toEqual([]);
    expect(running).toEqual([]);
    expect(left).toEqual([]);
  }, 90_000);

  it("fails the run on a full disk and removes the half-written folder", async () => {
    const { run, out, rows, running, left } = await runWithFault("full");
    expect(fault.bytesLeft).toBe(0); // the first file really was written in part
    expect(run?.status).toBe("failed");
    expect(run?.error).toContain(`The checkpoint store could not write ${out}-resume in ${root.dir}: no space left on the device (ENOSPC).`);
    expect(run?.outputCheckpointId).toBeNull();
    expect(rows).toEqual([]);
    expect(running).toEqual([]);
    expect(left).toEqual([]);
  }, 90_000);
});
