import { describe, expect, it } from "vitest";
import { importFileNames } from "@/trainer/hf-import";
import { checkpointFilesToSend, checkpointUploadFiles } from "./upload-files";

const file = (name: string, relativePath = "") => Object.defineProperty(new File(["x"], name), "webkitRelativePath", { value: relativePath });

describe("the files the checkpoint import form sends", () => {
  it("from a picked folder, only the three the import reads, at its top level", () => {
    const folder = ["model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json", "pairwise.json", "training_args.bin"].map((n) => file(n, `trl-rm/${n}`));
    const nested = file("model.safetensors", "trl-rm/checkpoint-4/model.safetensors");
    expect(checkpointFilesToSend([...folder, nested]).map((f) => f.webkitRelativePath)).toEqual(["trl-rm/model.safetensors", "trl-rm/config.json", "trl-rm/tokenizer.json"]);
  });

  it("from files picked one by one, the same three, whatever else was picked", () => {
    expect(checkpointFilesToSend([file("config.json"), file("README.md"), file("model.safetensors")]).map((f) => f.name)).toEqual(["config.json", "model.safetensors"]);
  });

  it("names the files the server reads", () => {
    expect(checkpointUploadFiles).toEqual([...importFileNames]);
  });
});
