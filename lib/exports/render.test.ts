import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fitPairBradleyTerry, sigmoid } from "./bradley-terry";
import { aggregateRecord, csvLine, hhRecord, pseudonymiser, splitOf, trlRecord, type PreferenceSource, type VoteSource } from "./render";

const row = (over: Partial<PreferenceSource>): PreferenceSource => ({
  promptId: "p",
  prompt: "Define: harbor",
  chosen: "A port.",
  rejected: "A boat.",
  strength: null,
  weight: 1,
  tie: false,
  ...over,
});

describe("format mapping", () => {
  it("writes TRL rows in standard form, and conversational form for message-list prompts", () => {
    expect(trlRecord(row({ strength: 3 }))).toEqual({ prompt: "Define: harbor", chosen: "A port.", rejected: "A boat.", margin: 3 });
    expect(trlRecord(row({}))).toEqual({ prompt: "Define: harbor", chosen: "A port.", rejected: "A boat." });
    const prompt = [{ role: "user" as const, content: "Hi" }];
    expect(trlRecord(row({ prompt }))).toEqual({
      prompt,
      chosen: [{ role: "assistant", content: "A port." }],
      rejected: [{ role: "assistant", content: "A boat." }],
    });
  });

  it("renders HH transcripts turn by turn, a system message opening the first Human turn", () => {
    expect(hhRecord(row({}))).toEqual({ chosen: "\n\nHuman: Define: harbor\n\nAssistant: A port.", rejected: "\n\nHuman: Define: harbor\n\nAssistant: A boat." });
    const prompt = [
      { role: "system" as const, content: "Be brief." },
      { role: "user" as const, content: "Define: harbor" },
      { role: "assistant" as const, content: "Which sense?" },
      { role: "user" as const, content: "The port." },
    ];
    expect(hhRecord(row({ prompt })).chosen).toBe("\n\nHuman: Be brief.\n\nDefine: harbor\n\nAssistant: Which sense?\n\nHuman: The port.\n\nAssistant: A port.");
  });

  it("pseudonymises with HMAC-SHA256 of the salt, 16 hex digits", () => {
    const id = "6f1c2c9e-1111-4a4a-8b8b-123456789abc";
    expect(pseudonymiser("salt-one")(id)).toBe(createHmac("sha256", "salt-one").update(id).digest("hex").slice(0, 16));
    expect(pseudonymiser("salt-two")(id)).not.toBe(pseudonymiser("salt-one")(id));
  });

  it("quotes CSV fields only when needed", () => {
    expect(csvLine(["a", null, 3, 'say "hi", then\nleave', true])).toBe('a,,3,"say ""hi"", then\nleave",true\r\n');
    // Text a spreadsheet would run as a formula is kept as text; a negative number stays a number.
    expect(csvLine(["=HYPERLINK(\"http://x\")", "+1", "-", "@SUM(A1)", "\tx", "a=b", -3])).toBe(`"'=HYPERLINK(""http://x"")",'+1,'-,'@SUM(A1),'\tx,a=b,-3\r\n`);
  });

  it("splits by prompt, about a tenth to test, the same way every time", () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `prompt-${i}`);
    const test = ids.filter((id) => splitOf(id) === "test").length;
    expect(test).toBeGreaterThan(140);
    expect(test).toBeLessThan(260);
    expect(ids.map(splitOf)).toEqual(ids.map(splitOf));
  });
});

describe("Bradley-Terry per pair", () => {
  it("is 0.5 for level votes and symmetric", () => {
    expect(fitPairBradleyTerry({ winsA: 2, winsB: 2 }).pAWins).toBeCloseTo(0.5, 12);
    expect(fitPairBradleyTerry({ winsA: 0, winsB: 0, ties: 3 }).pAWins).toBeCloseTo(0.5, 12);
    const ab = fitPairBradleyTerry({ winsA: 3, winsB: 1 });
    const ba = fitPairBradleyTerry({ winsA: 1, winsB: 3 });
    expect(ab.logit).toBeCloseTo(-ba.logit, 12);
  });

  it("finds the MAP: the posterior's gradient is zero there", () => {
    for (const [a, b, t] of [[3, 0, 0], [2, 1, 0], [5, 1, 2], [1, 0, 0]] as const) {
      const { logit: d, pAWins } = fitPairBradleyTerry({ winsA: a, winsB: b, ties: t });
      const wA = a + t / 2;
      const wB = b + t / 2;
      expect(wA * (1 - sigmoid(d)) - wB * sigmoid(d) - d).toBeCloseTo(0, 10);
      expect(pAWins).toBeCloseTo(sigmoid(d), 15);
    }
    // Shrinkage: 3-0 solves d = 3 sigmoid(-d): d = 0.8797 (3 * 0.2933 = 0.880), P = sigmoid(d) = 0.7068, not 1.
    const three = fitPairBradleyTerry({ winsA: 3, winsB: 0 });
    expect(three.logit).toBeCloseTo(0.8797, 4);
    expect(three.pAWins).toBeCloseTo(0.7068, 3);
  });

  it("aggregates a pair's votes: counts, majority, agreement, probability", () => {
    const vote = (choice: VoteSource["choice"], strength: number | null): VoteSource => ({
      comparisonId: "c",
      pairId: "pair",
      promptId: "prompt",
      responseAId: "ra",
      responseBId: "rb",
      labelerId: "l",
      choice,
      strength,
      shownOrder: "ab",
      serverMs: 1,
      activeMs: null,
      createdAt: "2024-01-01T00:00:00.000Z",
      rationale: null,
      gold: false,
      goldCorrect: null,
    });
    const r = aggregateRecord([vote("a", 2), vote("a", 4), vote("b", 1), vote("both_bad", null)]);
    const bt = fitPairBradleyTerry({ winsA: 2, winsB: 1, ties: 1 });
    expect(r).toEqual({
      pair_id: "pair",
      prompt_id: "prompt",
      response_a_id: "ra",
      response_b_id: "rb",
      votes: 4,
      votes_a: 2,
      votes_b: 1,
      votes_tie: 1,
      majority: "a",
      agreement: 0.5,
      mean_strength: 2.333333,
      bt_logit: Math.round(bt.logit * 1e6) / 1e6,
      p_a_beats_b: Math.round(bt.pAWins * 1e6) / 1e6,
    });
    expect(aggregateRecord([vote("a", 1), vote("b", 1)])).toMatchObject({ majority: null, agreement: null, p_a_beats_b: 0.5 });
  });
});
