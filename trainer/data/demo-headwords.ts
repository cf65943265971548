/**
 * Headwords of the demo campaign's "Define: <word>" prompts. All are in the SFT held-out set
 * (sft-heldout-headwords.txt), so the demo shows the shipped model on words it was not tuned on.
 */
export const demoHeadwords = [
  "harbor", "lantern", "glacier", "orchard", "ledger", "meadow", "compass", "anvil", "drought", "canopy", "pilgrim", "scaffold",
  "quill", "loom", "estuary", "satchel", "harvest", "beacon", "cellar", "anchor", "airport", "afternoon", "ancestor", "advice",
];
