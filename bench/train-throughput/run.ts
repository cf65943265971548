/**
 * Training-step throughput (forward, backward, Adam) of the tfjs model at ~0.8M and ~5M parameters
 * (context 64, batch 16) on the backend in use, against the same model in PyTorch on CPU with
 * OpenBLAS, plus KV-cache generation throughput. `npm run bench:train [-- --steps=N]`.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { initBackend } from "@/trainer/backend";
import { defaultThreads } from "@/trainer/parallel";
import { benchSizes, measureThroughput } from "@/trainer/throughput";

const steps = Number(/^--steps=(\d+)$/.exec(process.argv[2] ?? "")?.[1] ?? 10);
const torchScript = fileURLToPath(new URL("./torch_ref.py", import.meta.url));
const openblas = "/usr/lib/x86_64-linux-gnu/openblas-pthread";

function torchTokensPerSec(cfg: (typeof benchSizes)["small"]): number | string {
  const args = [torchScript, `--vocab=${cfg.vocabSize}`, `--ctx=${cfg.contextLength}`, `--layers=${cfg.layers}`, `--heads=${cfg.heads}`, `--d_model=${cfg.dModel}`, `--batch=${cfg.batch}`, `--steps=${steps}`, "--threads=2"];
  // Debian's python3-torch lives under /usr/bin/python3, which a pyenv shim may shadow.
  for (const python of ["/usr/bin/python3", "python3"]) {
    const r = spawnSync(python, args, { encoding: "utf8", env: { ...process.env, LD_LIBRARY_PATH: openblas, OPENBLAS_NUM_THREADS: "1" } });
    if (r.status === 0) return JSON.parse(r.stdout.trim().split("\n").pop()!).train_tokens_per_s as number;
    if (!/No module named 'torch'|ENOENT/.test(`${r.stderr}${r.error?.message ?? ""}`)) return `torch failed: ${r.stderr.trim().split("\n").pop()}`;
  }
  return "torch not installed (apt-get install python3-torch libopenblas0-pthread), peer skipped";
}

const backend = await initBackend();
const threads = defaultThreads(backend);
console.log(`backend: ${backend}, steps: ${steps}, data-parallel threads: ${threads}`);
const ratios: string[] = [];
for (const [name, cfg] of Object.entries(benchSizes)) {
  // The peer runs first, while this process is idle, so the two never share the cores.
  const torch = torchTokensPerSec(cfg);
  const one = await measureThroughput({ ...cfg, steps, warmup: 2, genTokens: 32, threads: 1 });
  console.log(`${name}: ${one.params.toLocaleString("en")} params, tfjs ${backend} 1 thread: train ${one.trainTokensPerSec.toFixed(0)} tokens/s (${one.msPerStep.toFixed(0)} ms/step), generate ${one.genTokensPerSec?.toFixed(0)} tokens/s (batch ${cfg.batch}, KV cache)`);
  const r = threads > 1 ? await measureThroughput({ ...cfg, steps, warmup: 2, genTokens: 0, threads }) : one;
  if (threads > 1) console.log(`${name}: tfjs ${backend} ${threads} threads (data-parallel): train ${r.trainTokensPerSec.toFixed(0)} tokens/s (${r.msPerStep.toFixed(0)} ms/step), ${(r.trainTokensPerSec / one.trainTokensPerSec).toFixed(2)}x one thread`);
  if (typeof torch === "number") {
    console.log(`${name}: torch cpu train ${torch.toFixed(0)} tokens/s`);
    ratios.push(`ratio ${name}: ${(r.trainTokensPerSec / torch).toFixed(2)}`);
  } else {
    console.log(`${name}: ${torch}`);
  }
}
for (const line of ratios) console.log(line);
