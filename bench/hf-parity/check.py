"""Runs Pairwise checkpoints in Hugging Face transformers and prints what they compute.

Called by bench/hf-parity/run.ts with the path of a cases.json it wrote:
  {"models": [{"name", "dir", "kind", "texts": [str, ...]}], "batch": [text, ...]}
For each model it loads the folder the way a Python user would (AutoTokenizer and
AutoModelForCausalLM, or AutoModelForSequenceClassification for a reward model), encodes each
text with the folder's tokenizer.json and prints one JSON object on stdout: per text the token
ids, the logits at every position (or the reward score) and, where the folder has a value head,
TRL's v_head.summary applied to the last hidden state. run.ts compares them with tfjs.
"""
import json
import sys

import torch
from safetensors.torch import load_file
import transformers
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer


def run_model(spec, batch_texts):
    tok = AutoTokenizer.from_pretrained(spec["dir"])
    out = {"name": spec["name"], "tokenizer_class": type(tok).__name__, "texts": []}
    if spec["kind"] == "reward":
        model = AutoModelForSequenceClassification.from_pretrained(spec["dir"])
    else:
        model = AutoModelForCausalLM.from_pretrained(spec["dir"])
    model.eval()
    out["model_class"] = type(model).__name__
    tensors = load_file(f"{spec['dir']}/model.safetensors")
    v_w = tensors.get("v_head.summary.weight")
    v_b = tensors.get("v_head.summary.bias")
    with torch.no_grad():
        for text in spec["texts"]:
            ids = tok(text)["input_ids"]
            res = model(torch.tensor([ids]), output_hidden_states=True)
            row = {"ids": ids}
            if spec["kind"] == "reward":
                row["score"] = res.logits[0, 0].item()
            else:
                row["logits"] = res.logits[0].tolist()
                if v_w is not None:
                    # hidden_states[-1] is after ln_f, where TRL's ValueHead reads.
                    row["values"] = (res.hidden_states[-1][0] @ v_w.T + v_b)[:, 0].tolist()
            out["texts"].append(row)
        if spec["kind"] == "reward":
            # The same texts as one right-padded batch, as TRL's trainers feed them.
            enc = tok(batch_texts, padding=True, return_tensors="pt")
            res = model(**enc)
            out["batch_scores"] = res.logits[:, 0].tolist()
            out["padding_side"] = tok.padding_side
    return out


def main():
    cases = json.load(open(sys.argv[1]))
    result = {
        "versions": {"python": sys.version.split()[0], "torch": torch.__version__, "transformers": transformers.__version__},
        "models": [run_model(m, cases["batch"]) for m in cases["models"]],
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
