"""TRL's RLOO on the demo's reward model: an outside implementation, and as much compute as a GPU gives.

`bench/rlhf/trl-rloo.ts --prepare DIR` writes DIR/prompts.json and copies demo-sft and demo-rm
into DIR. This script trains one policy per `--run` in DIR (several runs share one GPU as
parallel processes), each from demo-sft against demo-rm with TRL's RLOOTrainer: k samples per
prompt, the leave-one-out baseline, and reward - beta * KL(policy || demo-sft) summed over the
response's tokens (TRL's k1). It stops after `--minutes` and saves DIR/<run>/ as a transformers
folder with the tokenizer, plus DIR/<run>.jsonl with TRL's logged metrics.
`bench/rlhf/trl-rloo.ts --evaluate DIR/<run>` then imports the folder and runs Pairwise's own
eval against demo-sft, judged by demo-rm, on the 377 held-out headwords: the same table
bench:ppo-demo prints.

    python3 bench/rlhf/trl-rloo.py DIR --run 'beta0.77:{"beta":0.77,"learning_rate":1e-5}' --minutes 6

A run is `NAME:JSON`, the JSON holding RLOOConfig fields that override the defaults below.
"""

import argparse
import json
import multiprocessing
import os
import sys
import time


DEFAULTS = {
    # The demo's sampling: temperature 1, nothing filtered, at most 24 new tokens (eval's and PPO's maxNewTokens).
    "temperature": 1.0,
    "top_p": 1.0,
    "top_k": 0,
    "max_completion_length": 24,
    "num_generations": 4,
    # 64 prompts x 4 samples per update; one update per batch (num_iterations 1: on-policy).
    "per_device_train_batch_size": 256,
    "steps_per_generation": 1,
    "num_iterations": 1,
    "learning_rate": 1e-5,
    "lr_scheduler_type": "constant",
    "beta": 0.77,
    "max_steps": 1_000_000,  # the time budget stops the run
    "logging_steps": 10,
    "save_strategy": "no",
    "report_to": "none",
    "bf16": False,
    "seed": 1,
}


def train(folder: str, name: str, overrides: dict, minutes: float, device: str) -> None:
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer, TrainerCallback
    from trl import RLOOConfig, RLOOTrainer

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    with open(os.path.join(folder, "prompts.json")) as f:
        prompts = json.load(f)
    tokenizer = AutoTokenizer.from_pretrained(os.path.join(folder, "demo-sft"))
    tokenizer.padding_side = "left"
    policy = AutoModelForCausalLM.from_pretrained(os.path.join(folder, "demo-sft"), dtype=torch.float32)
    reward = AutoModelForSequenceClassification.from_pretrained(os.path.join(folder, "demo-rm"), dtype=torch.float32)
    reward_tokenizer = AutoTokenizer.from_pretrained(os.path.join(folder, "demo-rm"))
    log_path = os.path.join(folder, f"{name}.jsonl")
    started = time.monotonic()

    class Budget(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if time.monotonic() - started > minutes * 60:
                control.should_training_stop = True

        def on_log(self, args, state, control, logs=None, **kwargs):
            with open(log_path, "a") as out:
                out.write(json.dumps({"step": state.global_step, "seconds": round(time.monotonic() - started, 1), **(logs or {})}) + "\n")

    config = RLOOConfig(output_dir=os.path.join(folder, f"{name}-trainer"), use_cpu=device == "cpu", **{**DEFAULTS, **overrides})
    trainer = RLOOTrainer(
        model=policy,
        reward_funcs=reward,
        args=config,
        train_dataset=Dataset.from_list([{"prompt": p} for p in prompts]),
        processing_class=tokenizer,
        reward_processing_classes=reward_tokenizer,
        callbacks=[Budget()],
    )
    trainer.train()
    out = os.path.join(folder, name)
    trainer.model.save_pretrained(out)
    tokenizer.padding_side = "right"
    tokenizer.save_pretrained(out)
    print(f"{name}: {trainer.state.global_step} updates in {(time.monotonic() - started) / 60:.1f} min, saved {out}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", help="the folder bench/rlhf/trl-rloo.ts --prepare wrote")
    parser.add_argument("--run", action="append", required=True, help="NAME:JSON of RLOOConfig overrides; repeat for parallel runs")
    parser.add_argument("--minutes", type=float, default=6.0, help="training time per run")
    parser.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
    args = parser.parse_args()
    runs = []
    for spec in args.run:
        name, _, overrides = spec.partition(":")
        runs.append((name, json.loads(overrides or "{}")))
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=train, args=(args.folder, name, o, args.minutes, args.device)) for name, o in runs]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    failed = [name for (name, _), p in zip(runs, procs) if p.exitcode != 0]
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
