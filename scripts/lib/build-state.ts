/** Decides whether `next build` must run: a fingerprint of every input of the build. */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const INPUT_DIRS = ["app", "lib", "db", "public"];
const INPUT_FILES = ["next.config.mjs", "proxy.ts", "package-lock.json", "tsconfig.json", "postcss.config.mjs"];
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

export function buildIsCurrent(fingerprint: string): boolean {
  if (!existsSync(path.join(".next", "BUILD_ID")) || !existsSync(STAMP)) return false;
  try {
    return JSON.parse(readFileSync(STAMP, "utf8")).fingerprint === fingerprint;
  } catch {
    return false;
  }
}

export function markBuilt(fingerprint: string): void {
  writeFileSync(STAMP, JSON.stringify({ fingerprint, builtAt: new Date().toISOString() }));
}

