/**
 * Bookkeeping of the process groups `npm start` launches, so a start after a `kill -9`
 * finds and stops what the killed one left behind instead of failing on a busy port.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isAlive } from "@/lib/process-alive";

type Record_ = { supervisor: number; groups: { name: string; pgid: number }[] };

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class ProcessRecord {
  private readonly file: string;
  private groups: Record_["groups"] = [];

  constructor(dataDir: string) {
    this.file = path.join(dataDir, "run", "processes.json");
  }

  /** Stops groups left by a start that died; refuses when that start is still running. */
  async cleanUpLeftovers(log: (msg: string) => void): Promise<void> {
    if (!existsSync(this.file)) return;
    let previous: Record_;
    try {
      previous = JSON.parse(readFileSync(this.file, "utf8")) as Record_;
    } catch {
      rmSync(this.file, { force: true });
      return;
    }
    if (previous.supervisor !== process.pid && isAlive(previous.supervisor)) {
      throw new Error(`Pairwise is already running (npm start, pid ${previous.supervisor}). Stop it with Ctrl-C or \`kill ${previous.supervisor}\` first.`);
    }
    for (const g of previous.groups.filter((g) => groupAlive(g.pgid))) {
      log(`Stopping the ${g.name} left running by an earlier start (process group ${g.pgid}).`);
      await stopGroup(g.pgid);
    }
    rmSync(this.file, { force: true });
  }

  add(name: string, pgid: number): void {
    this.groups.push({ name, pgid });
    this.save();
  }

  clear(): void {
    rmSync(this.file, { force: true });
  }

  private save(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify({ supervisor: process.pid, groups: this.groups } satisfies Record_));
  }
}

/** SIGTERM to the whole group, SIGKILL if it is still there after the grace period. */
export async function stopGroup(pgid: number, graceMs = 10_000): Promise<void> {
  try {
    process.kill(-pgid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && groupAlive(pgid)) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(pgid)) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
