/**
 * README.md and docs/*.md as a reader follows them: every relative link reaches a file and, with
 * an anchor, a heading of it (GitHub's anchor rules); every `npm run X` is a package.json script;
 * every `npm run trainer -- <command> --flag` names a command and options the CLI has; every
 * path under the repository's folders that they name exists; the Playwright count the README gives is
 * the one `npx playwright test --list` prints.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { commands } from "@/trainer/cli/commands";

const docs = ["README.md", ...readdirSync("docs").filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const scripts = Object.keys((JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts);

/** The lines of a markdown file with fenced code blocks marked, so headings and links are read only outside them. */
function lines(file: string): { text: string; inCode: boolean; line: number }[] {
  let fence: string | null = null;
  return readFileSync(file, "utf8")
    .split("\n")
    .map((text, i) => {
      const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
      if (marker && (fence === null || marker.startsWith(fence))) {
        fence = fence === null ? marker : null;
        return { text, inCode: true, line: i + 1 };
      }
      return { text, inCode: fence !== null, line: i + 1 };
    });
}

/** GitHub's anchor for a heading (github-slugger): the rendered text lowercased, punctuation dropped, spaces to '-'. */
function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/\*/g, "");
  return rendered
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of a markdown file's headings; a repeated heading gets -1, -2, … as on GitHub. */
function anchors(file: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text, inCode } of lines(file)) {
    const m = !inCode && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!m) continue;
    const slug = githubSlug(m[1]!);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Prose of a line with inline code spans removed (a link inside code is not a link). */
const prose = (text: string) => text.replace(/`[^`]*`/g, "");

/** Every relative link of a file that does not resolve, as "file:line target (why)". */
function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  for (const { text, inCode, line } of lines(file)) {
    if (inCode) continue;
    // A target may hold one level of parentheses: app/(app)/error.tsx.
    for (const m of prose(text).matchAll(/\]\(((?:[^()\s]|\([^()\s]*\))+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const [filePart, anchor] = target.split("#") as [string, string | undefined];
      const resolved = filePart ? path.join(path.dirname(file), filePart) : file;
      if (!existsSync(resolved)) {
        broken.push(`${file}:${line} ${target} (no file ${resolved})`);
      } else if (anchor !== undefined) {
        if (!resolved.endsWith(".md")) broken.push(`${file}:${line} ${target} (an anchor into a file that is not markdown)`);
        else if (!anchors(resolved).has(anchor)) broken.push(`${file}:${line} ${target} (no heading of ${resolved} has that anchor)`);
      }
    }
  }
  return broken;
}

/** Each `npm run trainer -- <command> …` of a file with the flags given to it: up to the code span's end, or the command line's end in a code block. */
function trainerCalls(file: string): { where: string; command: string; flags: string[] }[] {
  const all = lines(file);
  const out: { where: string; command: string; flags: string[] }[] = [];
  all.forEach(({ text, inCode, line }, i) => {
    for (const m of text.matchAll(/npm run (?:-s )?trainer -- ([^\s`]+)/g)) {
      let rest = text.slice(m.index + m[0].length);
      for (let j = i + 1; inCode && rest.trimEnd().endsWith("\\") && j < all.length; j++) rest = rest.trimEnd().slice(0, -1) + " " + all[j]!.text;
      if (!inCode) rest = rest.split("`")[0]!;
      else rest = rest.split(/\s#\s/)[0]!;
      const flags = [...rest.matchAll(/(?<![\w-])--([A-Za-z][\w-]*)/g)].map((f) => f[1]!).filter((f) => f !== "help" && f !== "preset");
      out.push({ where: `${file}:${line}`, command: m[1]!, flags });
    }
  });
  return out;
}

/** A path as it ends in prose: without the sentence's punctuation or a closing parenthesis it did not open. */
function trimProse(p: string): string {
  let out = p;
  for (let before = ""; before !== out; ) {
    before = out;
    out = out.replace(/[.,;:]+$/, "");
    if (out.endsWith(")") && out.split(")").length > out.split("(").length) out = out.slice(0, -1);
  }
  return out;
}

describe("README.md and docs/*.md", () => {
  it("reads GitHub's anchors off headings as GitHub does", () => {
    expect(githubSlug("An outside implementation with 33 times the samples: TRL's RLOO on a GPU")).toBe("an-outside-implementation-with-33-times-the-samples-trls-rloo-on-a-gpu");
    expect(githubSlug("generate-pairs: the loop back")).toBe("generate-pairs-the-loop-back");
    expect(githubSlug("`votes-jsonl`, `votes-csv`, `parquet`: raw votes")).toBe("votes-jsonl-votes-csv-parquet-raw-votes");
    expect(githubSlug("The demo loop, measured: `npm run bench:ppo-demo`")).toBe("the-demo-loop-measured-npm-run-benchppo-demo");
  });

  it.each(docs)("%s: every relative link reaches a file, and every anchor a heading", (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it.each(docs)("%s: every `npm run X` is a package.json script", (file) => {
    const missing = lines(file).flatMap(({ text, line }) => [...text.matchAll(/npm run (?:-s )?([\w:.-]+)/g)].map((m) => m[1]!).filter((s) => !scripts.includes(s)).map((s) => `${file}:${line} npm run ${s}`));
    expect(missing).toEqual([]);
  });

  it.each(docs)("%s: every `npm run trainer -- <command> --flag` is a command and option of the CLI", (file) => {
    const wrong = trainerCalls(file)
      .filter((c) => !/^<\w+>$/.test(c.command))
      .flatMap((c) => {
        const cmd = commands[c.command];
        if (!cmd) return [`${c.where} no command "${c.command}"`];
        return c.flags.filter((f) => !(f in cmd.options)).map((f) => `${c.where} ${c.command} has no --${f}`);
      });
    expect(wrong).toEqual([]);
  });

  it.each(docs)("%s: every path it names under the repository's folders exists", (file) => {
    const missing = lines(file).flatMap(({ text, line }) =>
      [...text.replaceAll("](", " ").matchAll(/(?<![\w./-])(?:\.\.\/)?((?:app|bench|db|docs|e2e|lib|scripts|trainer)\/[\w.\-[\]()@/]*)/g)]
        .map((m) => trimProse(m[1]!))
        .filter((p) => !existsSync(p.replace(/\/$/, "")))
        .map((p) => `${file}:${line} ${p}`),
    );
    expect(missing).toEqual([]);
  });

  it("README.md: the Playwright count is what `npx playwright test --list` counts", () => {
    const claimed = /Playwright \((\d+) tests, as `npx playwright test --list` counts them/.exec(readFileSync("README.md", "utf8"))?.[1];
    const listed = /^Total: (\d+) tests? in/m.exec(execFileSync("npx", ["playwright", "test", "--list"], { encoding: "utf8" }))?.[1];
    expect(listed).toBeDefined();
    expect(claimed).toBe(listed);
  }, 60_000);
});
