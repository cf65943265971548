/**
 * `npm run bench:hf-parity [-- --python PATH --keep DIR --hf-output FILE]`: do Pairwise's
 * checkpoints compute the same thing in Hugging Face transformers as in Pairwise? Prints one line
 * per check of trainer/hf-parity.ts (token ids, logits, reward scores, value head) and exits 1 if
 * any differs. Needs a python with torch and transformers (docs/trainer.md#in-python).
 *
 * On another host (a GPU): `--keep DIR` leaves DIR/cases.json and the folders; there run
 * `python3 trainer/hf-parity.py DIR/cases.json --device cuda > hf.json`; back here
 * `--keep DIR --hf-output hf.json` compares that output instead of running python.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "@/trainer/backend";
import { compareWithTransformers, type HfOutput, runTransformers, writeParityCheckpoints } from "@/trainer/hf-parity";
import { disposeModel } from "@/trainer/model";
import { parseCliArgs } from "@/scripts/lib/cli-args";

const USAGE = "Usage: npm run bench:hf-parity [-- --python PATH (default python3)] [--keep DIR] [--hf-output FILE]";
const { values: args } = parseCliArgs({ options: { python: { type: "string", default: "python3" }, keep: { type: "string" }, "hf-output": { type: "string" } } }, USAGE);

await initBackend();
const dir = args.keep ?? (await fs.mkdtemp(path.join(os.tmpdir(), "hf-parity-")));
const { models, casesFile } = await writeParityCheckpoints(dir);
const hf = args["hf-output"] ? (JSON.parse(await fs.readFile(args["hf-output"], "utf8")) as HfOutput) : runTransformers(args.python, casesFile);
const v = hf.versions;
console.log(`transformers ${v.transformers}, torch ${v.torch} on ${v.device}, python ${v.python}; Pairwise: tfjs ${tf.version_core} on ${tf.getBackend()}`);
const checks = await compareWithTransformers(models, hf, dir);
for (const m of models) disposeModel(m.model);
for (const c of checks) console.log(`${c.ok ? "ok  " : "FAIL"} ${c.line}`);
if (args.keep) console.log(`checkpoint folders kept in ${dir}`);
else await fs.rm(dir, { recursive: true, force: true });
process.exit(checks.every((c) => c.ok) ? 0 : 1);
