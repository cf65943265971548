/** Decides whether `next build` must run (a fingerprint of every input of the build), and runs it. */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/** Next's CLI, run with this Node by `npm start`, the load bench and `buildIfStale`. */
export const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");

const INPUT_DIRS = ["app", "lib", "db", "public"];
// The root files Next bundles or reads (proxy.ts, instrumentation.ts) count as much as app/.
const INPUT_FILES = ["next.config.mjs", "proxy.ts", "instrumentation.ts", "instrumentation-client.ts", "package-lock.json", "tsconfig.json", "postcss.config.mjs"];
const STAMP = path.join(".next", "pairwise-build.json");

function walk(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else if (!entry.name.endsWith(".test.ts")) out.push(p);
  }
}

export function buildFingerprint(root = process.cwd()): string {
  const files: string[] = [];
  for (const d of INPUT_DIRS) walk(path.join(root, d), files);
  for (const f of INPUT_FILES) if (existsSync(path.join(root, f))) files.push(path.join(root, f));
  const hash = createHash("sha256");
  for (const f of files.sort()) {
    hash.update(path.relative(root, f));
    hash.update(readFileSync(f));
  }
  return hash.digest("hex");
}

function buildIsCurrent(fingerprint: string): boolean {
  if (!existsSync(path.join(".next", "BUILD_ID")) || !existsSync(STAMP)) return false;
  try {
    return JSON.parse(readFileSync(STAMP, "utf8")).fingerprint === fingerprint;
  } catch {
    return false;
  }
}

function markBuilt(fingerprint: string): void {
  writeFileSync(STAMP, JSON.stringify({ fingerprint, builtAt: new Date().toISOString() }));
}

/** Runs `next build` with `env` when the build is missing or its inputs changed since the last one. */
export function buildIfStale(env: NodeJS.ProcessEnv, log: (msg: string) => void): void {
  const fingerprint = buildFingerprint();
  if (buildIsCurrent(fingerprint)) return;
  log("Building the web app (first start, or the sources changed) ...");
  const build = spawnSync(process.execPath, [nextBin, "build"], { env, stdio: "inherit" });
  if (build.status !== 0) throw new Error("`next build` failed; see the output above.");
  markBuilt(fingerprint);
}
