"""PyTorch CPU peer for bench/train-throughput: the same GPT-2-style model as trainer/model.ts.

Prints one JSON line: {"train_tokens_per_s": ..., "params": ..., "threads": ...}.
Run with OpenBLAS (see run.ts): LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread
OPENBLAS_NUM_THREADS=1, and torch.set_num_threads(2) below.
"""

import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d_model: int, heads: int, ctx: int, eps: float):
        super().__init__()
        self.heads = heads
        self.register_buffer("causal", torch.ones(ctx, ctx, dtype=torch.bool).triu(1), persistent=False)
        self.ln_1 = nn.LayerNorm(d_model, eps=eps)
        self.c_attn = nn.Linear(d_model, 3 * d_model)
        self.c_proj = nn.Linear(d_model, d_model)
        self.ln_2 = nn.LayerNorm(d_model, eps=eps)
        self.c_fc = nn.Linear(d_model, 4 * d_model)
        self.mlp_proj = nn.Linear(4 * d_model, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / (c // self.heads) ** 0.5)
        att = F.softmax(att.masked_fill(self.causal[:t, :t], float("-inf")), dim=-1)
        y = att @ v
        x = x + self.c_proj(y.transpose(1, 2).reshape(b, t, c))
        h = self.c_fc(self.ln_2(x))
        return x + self.mlp_proj(h * torch.sigmoid(1.702 * h))  # quick_gelu, as the tfjs model


class GPT(nn.Module):
    def __init__(self, vocab: int, ctx: int, layers: int, heads: int, d_model: int, eps: float = 1e-5):
        super().__init__()
        self.wte = nn.Embedding(vocab, d_model)
        self.wpe = nn.Embedding(ctx, d_model)
        self.blocks = nn.ModuleList(Block(d_model, heads, ctx, eps) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d_model, eps=eps)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.T  # tied embeddings


def main() -> None:
    p = argparse.ArgumentParser()
    for name, default in [("vocab", 4096), ("ctx", 64), ("layers", 4), ("heads", 4), ("d_model", 96),
                          ("batch", 16), ("steps", 20), ("warmup", 3), ("threads", 2)]:
        p.add_argument(f"--{name}", type=int, default=default)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = GPT(a.vocab, a.ctx, a.layers, a.heads, a.d_model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    ids = torch.randint(0, a.vocab, (a.batch, a.ctx + 1))
    x, y = ids[:, :-1], ids[:, 1:]

    def step() -> None:
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, a.vocab), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    for _ in range(a.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    dt = (time.perf_counter() - t0) / a.steps
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"train_tokens_per_s": a.batch * a.ctx / dt, "ms_per_step": dt * 1000,
                      "params": params, "threads": a.threads}))


if __name__ == "__main__":
    main()
