import { describe, expect, it } from "vitest";
import { configLines, type ConfigLine } from "./config-lines";

const CAMPAIGN = { id: "55555555-5555-4555-8555-555555555555", name: "Demo: definitions" };
/** The lines as text, the campaign's as the page reads it: name, then its id. */
const read = (lines: ConfigLine[]) => lines.map((l) => ("text" in l ? l.text : `${l.before}${l.campaign.name} (${l.campaign.id})${l.after}`)).join("\n");

describe("a run's config on its page", () => {
  it("names the campaign config.campaignId names, keeping its id, and prints the rest as JSON", () => {
    const config = { campaignId: CAMPAIGN.id, baseline: "demo-sft", reward: "reward-ab12cd34", select: "uncertain", maxPairs: 300 };
    const lines = configLines(config, CAMPAIGN);
    expect(lines[1]).toEqual({ before: '  "campaignId": ', campaign: CAMPAIGN, after: "," });
    expect(read(lines)).toBe(
      ["{", `  "campaignId": Demo: definitions (${CAMPAIGN.id}),`, '  "baseline": "demo-sft",', '  "reward": "reward-ab12cd34",', '  "select": "uncertain",', '  "maxPairs": 300', "}"].join("\n"),
    );
    // Last, it takes no comma.
    expect(configLines({ k: 4, campaignId: CAMPAIGN.id }, CAMPAIGN)[2]).toEqual({ before: '  "campaignId": ', campaign: CAMPAIGN, after: "" });
  });

  it("prints exactly JSON.stringify(config, null, 2) when no campaign is named or found", () => {
    const config = { campaignId: "66666666-6666-4666-8666-666666666666", prompts: 50, nested: { a: [1, 2], b: null }, text: 'say "hi"' };
    expect(read(configLines(config, null))).toBe(JSON.stringify(config, null, 2));
    // A campaign looked up for another id does not rename this one.
    expect(read(configLines(config, CAMPAIGN))).toBe(JSON.stringify(config, null, 2));
    expect(read(configLines({}, null))).toBe("{}");
  });
});
