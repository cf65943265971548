import { expect, it } from "vitest";
import { datasetCard } from "./hf-dataset";

const info = { snapshotId: "s", snapshotName: "small", contentHash: "h", train: 11, test: 0, trainPrompts: 11, testPrompts: 0, tiesDropped: 0 };
const configs = (card: string) => card.slice(card.indexOf("configs:"), card.indexOf("\n---"));

it("lists in the card's configs only the splits that have rows, since datasets refuses to load an empty one", () => {
  expect(configs(datasetCard(info))).toBe("configs:\n  - config_name: default\n    data_files:\n      - split: train\n        path: data/train.jsonl");
  expect(configs(datasetCard({ ...info, test: 2, testPrompts: 1 }))).toBe(
    "configs:\n  - config_name: default\n    data_files:\n      - split: train\n        path: data/train.jsonl\n      - split: test\n        path: data/test.jsonl",
  );
});
