import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { childProcessEnv } from "@/lib/env";

const run = (script: string, args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "--conditions=react-server", `scripts/${script}.ts`, ...args], { env: childProcessEnv(), encoding: "utf8", timeout: 60_000 });

describe("a mistyped flag", () => {
  it.each([
    ["user-create", ["--emial", "a@example.com"], "Unknown option '--emial'", "Usage: npm run user:create"],
    ["import", ["--campagin", "x", "f.jsonl"], "Unknown option '--campagin'", "Usage: npm run import"],
    ["export", ["--snapshot"], "--snapshot", "Usage: npm run export"],
    ["db-backup", ["--output", "x"], "Unknown option '--output'", "Usage: npm run db:backup"],
    ["db-restore", ["x", "--db", "y"], "Unknown option '--db'", "Usage: npm run db:restore"],
  ])("%s: is named with the usage, exit 2, no stack trace", (script, args, reason, usage) => {
    const result = run(script, args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(reason);
    expect(result.stderr).toContain(usage);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
