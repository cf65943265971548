import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildFingerprint } from "./build-state";

describe("the build fingerprint", () => {
  const roots: string[] = [];
  afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

  function project(): string {
    const root = mkdtempSync(path.join(tmpdir(), "pairwise-build-"));
    roots.push(root);
    mkdirSync(path.join(root, "app"));
    writeFileSync(path.join(root, "app", "page.tsx"), "export default function Page() { return null; }\n");
    writeFileSync(path.join(root, "proxy.ts"), "export default function proxy() {}\n");
    writeFileSync(path.join(root, "instrumentation.ts"), "export function onRequestError() {}\n");
    return root;
  }

  it("changes with every root file Next builds, so `npm start` rebuilds after an edit to one", () => {
    const root = project();
    let last = buildFingerprint(root);
    expect(buildFingerprint(root)).toBe(last);
    for (const file of ["instrumentation.ts", "proxy.ts", "app/page.tsx"]) {
      writeFileSync(path.join(root, file), "// edited\n", { flag: "a" });
      const now = buildFingerprint(root);
      expect(now, file).not.toBe(last);
      last = now;
    }
  });

  it("ignores tests, which the build does not bundle", () => {
    const root = project();
    const before = buildFingerprint(root);
    writeFileSync(path.join(root, "app", "page.test.ts"), "it('x', () => {});\n");
    expect(buildFingerprint(root)).toBe(before);
  });
});
