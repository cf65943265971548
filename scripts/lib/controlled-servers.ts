/**
 * The servers a bench or test controls: an embedded PostgreSQL it may restart, and the production
 * web app (`next start`, built first when the build is missing or stale, as `npm start` does)
 * in its own process group, so it can be SIGKILLed and started again.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedServer } from "@/db/embedded";
import { nextBin } from "@/scripts/lib/build-state";
import { waitForHttp } from "@/scripts/lib/wait-for-http";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An embedded PostgreSQL that can be restarted in place (same folder, port and data). */
export class ControlledPostgres {
  private server: EmbeddedServer | null = null;
  constructor(private readonly options: { dataDir: string; port: number }) {}

  async start(): Promise<string> {
    this.server = await startEmbeddedPostgres({ ...this.options, log: () => {} });
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = null;
  }

  /** Fast shutdown (open connections are terminated), then a start on the same data. */
  async restart(): Promise<{ downMs: number }> {
    const t = performance.now();
    await this.stop();
    await this.start();
    return { downMs: performance.now() - t };
  }
}

/** The production web app on one port; its output goes to `<logDir>/web.log`. */
export class ControlledWeb {
  private child: ChildProcess | null = null;
  private starts = 0;
  constructor(private readonly options: { port: number; env: NodeJS.ProcessEnv; logDir: string }) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<{ startMs: number }> {
    const t = performance.now();
    mkdirSync(this.options.logDir, { recursive: true });
    // One log per bench run; a restart within the run appends to it.
    const log = openSync(path.join(this.options.logDir, "web.log"), this.starts++ === 0 ? "w" : "a");
    // detached: its own process group, so a kill reaches whatever `next start` spawns.
    this.child = spawn(process.execPath, [nextBin, "start", "-p", String(this.options.port), "-H", "127.0.0.1"], {
      env: { ...this.options.env, NODE_ENV: "production", PAIRWISE_SERVICE: "web", PORT: String(this.options.port) },
      stdio: ["ignore", log, log],
      detached: true,
    });
    await waitForHttp(`${this.baseUrl}/api/health`, 120_000);
    return { startMs: performance.now() - t };
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid, signal);
    } catch {
      return;
    }
    await Promise.race([exited, sleep(15_000)]);
    this.child = null;
  }

  /** SIGKILL: no shutdown hooks, in-flight requests cut off mid-way. */
  kill(): Promise<void> {
    return this.signal("SIGKILL");
  }

  stop(): Promise<void> {
    return this.signal("SIGTERM");
  }
}
