import { describe, expect, it } from "vitest";
import { checkRunConfig, runConfigCatalog } from "@/lib/runs/config-catalog";
import { defaultsAsJson, describeRule, jsonDefault, opt, OptionError, resolveConfig, rules } from "./options";

describe("option rules", () => {
  const table = {
    epochs: opt(1, "passes", rules.count),
    lr: opt(1e-3, "learning rate", rules.positive),
    share: opt(0.1, "held out", { min: 0, below: 1 }),
    advantage: opt("gae", "estimator", { oneOf: ["gae", "rloo"] }),
    note: opt("", "free text"),
  };

  it("says what a rule asks in words", () => {
    expect(describeRule(rules.count)).toBe("a whole number of at least 1");
    expect(describeRule(rules.positive)).toBe("a number above 0");
    expect(describeRule(rules.unit)).toBe("a number of at least 0 and at most 1");
    expect(describeRule({ min: 0, below: 1 })).toBe("a number of at least 0 and below 1");
    expect(describeRule({ oneOf: ["gae", "rloo"] })).toBe("one of gae, rloo");
  });

  it("refuses values outside the rule with the key, the rule and the value, and takes those inside", () => {
    const refusal = (data: Record<string, unknown>) => {
      try {
        resolveConfig(table, data);
        return "resolved";
      } catch (err) {
        expect(err).toBeInstanceOf(OptionError);
        return (err as Error).message;
      }
    };
    expect(refusal({ epochs: -5 })).toBe("config: epochs must be a whole number of at least 1, got -5");
    expect(refusal({ epochs: 2.5 })).toBe("config: epochs must be a whole number of at least 1, got 2.5");
    expect(refusal({ lr: 0 })).toBe("config: lr must be a number above 0, got 0");
    expect(refusal({ share: 1 })).toBe("config: share must be a number of at least 0 and below 1, got 1");
    expect(refusal({ advantage: "ppo2" })).toBe('config: advantage must be one of gae, rloo, got "ppo2"');
    expect(refusal({ epochs: "3", lr: "3e-4", share: 0, advantage: "rloo", note: "anything" })).toBe("resolved");
    expect(resolveConfig(table, { epochs: "3" }).epochs).toBe(3);
  });

  it("will not declare a default its own rule refuses", () => {
    expect(() => opt(0, "steps", rules.count)).toThrow("default 0 breaks its own rule: a whole number of at least 1");
  });
});

describe("defaults as a JSON config writes them", () => {
  it("writes eval's bestOfN counts as numbers, as a person types them, not as the flag's text", () => {
    const filled = defaultsAsJson(runConfigCatalog.eval!.options);
    expect(filled.bestOfN).toEqual([4, 16]);
    expect(JSON.stringify(filled)).toContain('"bestOfN":[4,16]');
  });

  it("turns only lists of exact number texts into numbers", () => {
    expect(jsonDefault(["4", "16"])).toEqual([4, 16]);
    expect(jsonDefault([])).toEqual([]);
    expect(jsonDefault(["</s>", "4"])).toEqual(["</s>", "4"]);
    // Texts that would come back as another text stay text: "04" resolves from 4 as "4".
    expect(jsonDefault(["04"])).toEqual(["04"]);
    expect(jsonDefault([" 4"])).toEqual([" 4"]);
    expect(jsonDefault([""])).toEqual([""]);
    expect(jsonDefault("4")).toBe("4");
    expect(jsonDefault(4)).toBe(4);
  });

  it("resolves back to every kind's defaults, and a run started with them is accepted", () => {
    for (const [kind, entry] of Object.entries(runConfigCatalog)) {
      const defaults = Object.fromEntries(Object.entries(entry.options).map(([k, o]) => [k, o.default]));
      const filled = JSON.parse(JSON.stringify(defaultsAsJson(entry.options))) as Record<string, unknown>;
      expect(resolveConfig(entry.options, filled), kind).toEqual(defaults);
      // Started as filled in, the run passes the check the form's Start runs (its cross-key rules too).
      expect(() => checkRunConfig(kind, filled), kind).not.toThrow();
    }
  });
});
