/**
 * Training-step throughput (forward, backward, Adam) of the tfjs model at ~0.8M and ~5M parameters
 * (context 64, batch 16) on the backend in use, against the same model in PyTorch on CPU with
 * OpenBLAS, plus KV-cache generation throughput. `npm run bench:train [-- --steps=N --rounds=R]`.
 *
 * This machine's speed drifts by tens of percent within minutes, so the tfjs and torch timings
 * are taken in alternating rounds (torch, then tfjs, R times) and the ratio printed is the median
 * of the rounds' ratios: a slow minute then slows both sides of a round.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { rules } from "@/lib/config/options";
import { cliNumber, parseCliArgs } from "@/scripts/lib/cli-args";
import { initBackend } from "@/trainer/backend";
import { defaultThreads } from "@/trainer/parallel";
import { benchSizes, measureThroughput } from "@/trainer/throughput";

const USAGE = "Usage: npm run bench:train [-- --steps N (default 10)] [--rounds R (default 3)]";
const { values } = parseCliArgs({ options: { steps: { type: "string", default: "10" }, rounds: { type: "string", default: "3" } } }, USAGE);
const steps = cliNumber("steps", values.steps, rules.count, USAGE);
const rounds = cliNumber("rounds", values.rounds, rules.count, USAGE);
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

const backend = await initBackend();
const threads = defaultThreads(backend);
console.log(`backend: ${backend}, steps: ${steps}, data-parallel threads: ${threads}, rounds: ${rounds}`);
const ratios: string[] = [];
for (const [name, cfg] of Object.entries(benchSizes)) {
  const one = await measureThroughput({ ...cfg, steps, warmup: 2, genTokens: 32, threads: 1 });
  console.log(`${name}: ${one.params.toLocaleString("en")} params, tfjs ${backend} 1 thread: train ${one.trainTokensPerSec.toFixed(0)} tokens/s (${one.msPerStep.toFixed(0)} ms/step), generate ${one.genTokensPerSec?.toFixed(0)} tokens/s (batch ${cfg.batch}, KV cache)`);
  const roundRatios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    // The peer runs while this process is idle, so the two never share the cores.
    const torch = torchTokensPerSec(cfg);
    const r = await measureThroughput({ ...cfg, steps, warmup: 2, genTokens: 0, threads });
    const tfjs = `tfjs ${backend} ${threads} thread${threads > 1 ? "s (data-parallel)" : ""}: train ${r.trainTokensPerSec.toFixed(0)} tokens/s (${r.msPerStep.toFixed(0)} ms/step, ${(r.trainTokensPerSec / one.trainTokensPerSec).toFixed(2)}x one thread)`;
    if (typeof torch !== "number") {
      console.log(`${name}: ${tfjs}; ${torch}`);
      break;
    }
    roundRatios.push(r.trainTokensPerSec / torch);
    console.log(`${name} round ${round}: ${tfjs}; torch cpu train ${torch.toFixed(0)} tokens/s; ratio ${roundRatios.at(-1)!.toFixed(2)}`);
  }
  if (roundRatios.length > 0) ratios.push(`ratio ${name}: ${median(roundRatios).toFixed(2)} (median of ${roundRatios.map((x) => x.toFixed(2)).join(", ")})`);
}
for (const line of ratios) console.log(line);
