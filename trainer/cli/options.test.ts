import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatHelp, opt, OptionError, resolveOptions } from "./options";

const table = { steps: opt(10, "training steps"), name: opt("run", "run name"), fast: opt(false, "skip checks"), stop: opt([] as string[], "stop strings") };

describe("command options", () => {
  it("applies defaults, then the preset, then flags", () => {
    const preset = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preset-")), "p.json");
    fs.writeFileSync(preset, JSON.stringify({ steps: 50, name: "from-preset" }));
    expect(resolveOptions(table, [`--preset=${preset}`, "--steps=7", "--fast", "--stop=a", "--stop=b"])).toEqual({ steps: 7, name: "from-preset", fast: true, stop: ["a", "b"] });
    expect(resolveOptions(table, [])).toEqual({ steps: 10, name: "run", fast: false, stop: [] });
  });

  it("refuses unknown keys and wrong types with a clear message", () => {
    expect(() => resolveOptions(table, ["--stpes=3"])).toThrow(OptionError);
    expect(() => resolveOptions(table, ["--stpes=3"])).toThrow(/unknown option "stpes"/);
    expect(() => resolveOptions(table, ["--steps=many"])).toThrow(/steps must be a number/);
    expect(() => resolveOptions(table, ["--fast=maybe"])).toThrow(/fast must be true or false/);
    expect(() => resolveOptions(table, ["steps=3"])).toThrow(/use --key=value/);
  });

  it("lists every key with its default and meaning in --help", () => {
    const help = formatHelp("x", "does x", table);
    for (const [k, o] of Object.entries(table)) expect(help).toMatch(new RegExp(`--${k}\\s+${JSON.stringify(o.default).replace(/[[\]]/g, "\\$&")}\\s+${o.help}`));
  });
});
