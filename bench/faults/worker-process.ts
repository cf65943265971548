/** A trainer worker as its own process (`trainer/worker.ts`), for the fault scripts: output kept, killable as a group. */
import { spawn, type ChildProcess } from "node:child_process";

export type WorkerProcess = { name: string; child: ChildProcess; log: string[] };

export function spawnWorker(name: string, env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "trainer/worker.ts"], {
    env: { ...process.env, PAIRWISE_SERVICE: "worker", LOG_LEVEL: "info", TRAINER_BACKEND: "wasm", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: a kill reaches everything it started.
    detached: true,
  });
  const worker: WorkerProcess = { name, child, log: [] };
  const keep = (chunk: Buffer) => worker.log.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  return worker;
}

/** Signals the worker's process group and resolves once the worker has exited. */
export function signalWorker(w: WorkerProcess, signal: NodeJS.Signals): Promise<void> {
  const exited = new Promise<void>((resolve) => (w.child.exitCode !== null || w.child.signalCode !== null ? resolve() : w.child.once("exit", () => resolve())));
  try {
    process.kill(-w.child.pid!, signal);
  } catch {
    // already gone
  }
  return exited;
}

/** Polls `probe` every 100 ms until it returns something truthy. */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
