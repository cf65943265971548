/**
 * The demo campaign: "Define: <word>" prompts for held-out headwords, each answered twice by
 * the shipped SFT model (trainer/checkpoints/demo-sft) with different seeds and temperatures,
 * so a new user has real model output to compare the moment the app starts.
 */
import { demoHeadwords } from "@/trainer/data/demo-headwords";

export const demoCampaign = {
  name: "Demo: short definitions",
  guidelines: [
    "## What to judge",
    "",
    "Pick the response that **defines the word correctly, in plain English, in one short sentence**.",
    "",
    "- Correctness first: a fluent but wrong definition loses.",
    "- Then clarity: prefer the answer a learner would understand.",
    "- Choose *tie* only when neither is better; *both bad* when neither is acceptable.",
  ].join("\n"),
  overlap: 3,
  // The demo's pairs have no gold answers, so a gold rate would check nothing (and its page would say so).
  settings: { goldRate: 0 },
};

/** One prompt per demo headword (all held out from SFT training). */
export const demoPrompts: string[] = demoHeadwords.map((w) => `Define: ${w}`);

/**
 * The two samples per prompt: response A and response B. Later settings are used only when
 * the first two came out identical or empty (a pair needs two different texts).
 */
export const demoSampling = [
  { temperature: 0.7, topP: 0.95, seed: 1 },
  { temperature: 1.0, topP: 0.95, seed: 2 },
  { temperature: 1.2, topP: 1, seed: 3 },
  { temperature: 1.2, topP: 1, seed: 4 },
] as const;

/** Longest demo answer, in tokens. */
export const demoMaxNewTokens = 32;

export const demoAccounts = [
  { email: "admin@pairwise.local", name: "Demo Admin", role: "admin" },
  { email: "researcher@pairwise.local", name: "Demo Researcher", role: "researcher" },
  { email: "labeler1@pairwise.local", name: "Demo Labeler 1", role: "labeler" },
  { email: "labeler2@pairwise.local", name: "Demo Labeler 2", role: "labeler" },
  { email: "labeler3@pairwise.local", name: "Demo Labeler 3", role: "labeler" },
] as const;
