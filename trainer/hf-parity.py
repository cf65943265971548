"""Runs Pairwise checkpoints in Hugging Face transformers and prints what they compute.

Called by trainer/hf-parity.ts as `hf-parity.py CASES_JSON [--device cuda]`, CASES_JSON being
  {"models": [{"name", "dir", "kind", "texts": [str, ...]}], "batch": [text, ...]}
with each dir relative to the folder CASES_JSON is in (so the folder can be copied to a GPU host
and checked there; `npm run bench:hf-parity -- --hf-output` then compares what this printed).
For each model it loads the folder the way a Python user would (AutoTokenizer and
AutoModelForCausalLM, or AutoModelForSequenceClassification for a reward model), encodes each
text with the folder's tokenizer.json and prints one JSON object on stdout: per text the token
ids, the logits at every position (float32, base64) or the reward score and, where the folder has a value head,
TRL's v_head.summary applied to the last hidden state. hf-parity.ts compares them with tfjs.
"""
import argparse
import base64
import json
import os
import sys

import torch
from safetensors.torch import load_file
import transformers
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer


def run_model(spec, batch_texts, device):
    tok = AutoTokenizer.from_pretrained(spec["dir"])
    out = {"name": spec["name"], "tokenizer_class": type(tok).__name__, "texts": []}
    if spec["kind"] == "reward":
        model = AutoModelForSequenceClassification.from_pretrained(spec["dir"])
    else:
        model = AutoModelForCausalLM.from_pretrained(spec["dir"])
    model.eval().to(device)
    out["model_class"] = type(model).__name__
    tensors = load_file(f"{spec['dir']}/model.safetensors")
    v_w = tensors.get("v_head.summary.weight")
    v_b = tensors.get("v_head.summary.bias")
    if v_w is not None:
        v_w, v_b = v_w.to(device), v_b.to(device)
    with torch.no_grad():
        for text in spec["texts"]:
            ids = tok(text)["input_ids"]
            res = model(torch.tensor([ids], device=device), output_hidden_states=True)
            row = {"ids": ids}
            if spec["kind"] == "reward":
                row["score"] = res.logits[0, 0].item()
            else:
                # float32 bytes, base64: the exact values, a quarter of the size of JSON numbers
                row["logits_f32"] = base64.b64encode(res.logits[0].float().cpu().numpy().astype("<f4").tobytes()).decode()
                if v_w is not None:
                    # hidden_states[-1] is after ln_f, where TRL's ValueHead reads.
                    row["values"] = (res.hidden_states[-1][0] @ v_w.T + v_b)[:, 0].cpu().tolist()
            out["texts"].append(row)
        if spec["kind"] == "reward":
            # The same texts as one right-padded batch, as TRL's trainers feed them.
            enc = tok(batch_texts, padding=True, return_tensors="pt").to(device)
            res = model(**enc)
            out["batch_scores"] = res.logits[:, 0].tolist()
            out["padding_side"] = tok.padding_side
            # As a reward model trained in Python would come back: transformers' own save.
            model.save_pretrained(spec["dir"] + "-saved-by-transformers")
            tok.save_pretrained(spec["dir"] + "-saved-by-transformers")
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cases")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    cases = json.load(open(args.cases))
    root = os.path.dirname(os.path.abspath(args.cases))
    for m in cases["models"]:
        m["dir"] = os.path.join(root, m["dir"])
    device = torch.device(args.device)
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    result = {
        "versions": {"python": sys.version.split()[0], "torch": torch.__version__, "transformers": transformers.__version__, "device": where},
        "models": [run_model(m, cases["batch"], device) for m in cases["models"]],
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
