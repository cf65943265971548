/**
 * Data-parallel training steps over worker threads, for the language-model loss (pretraining, SFT).
 *
 * Why: tfjs turns the wasm backend's own multithreading off in Node, so a step runs on one core.
 * Each worker thread has its own backend instance and a replica of the model. A step splits the
 * batch's rows into equal shares; the main thread and every replica compute the gradient of their
 * share at the same time; the main thread averages them, weighted by each share's count of loss
 * tokens (so the result is the whole batch's gradient), then clips and applies Adam once. The
 * replicas get the updated weights with their next share, so they never drift.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { BackendName } from "./env";
import type { GPT, ModelConfig } from "./model";
import type { Adam } from "./optim";
import { applyGradients, type LmBatch, lmLoss, lossGradients, type StepOptions, type StepResult } from "./train";

/**
 * Weights go to a replica and its gradient comes back through two arrays on SharedArrayBuffers,
 * made once when it starts: a step's messages carry only the batch and the loss. (Fresh 3.4 MB
 * arrays per step, as before, cost more in allocation than in copying.) The messages order the
 * accesses: the main thread writes `weights` before it sends a step and reads `grads` after the
 * reply; the replica does the reverse.
 */
export type FromMain =
  | { type: "init"; backend: BackendName; config: ModelConfig; shapes: Array<[string, number[]]>; weights: Float32Array; grads: Float32Array }
  | { type: "step"; batch: LmBatch };
export type ToMain = { type: "ready" } | { type: "grads"; loss: number; weight: number } | { type: "error"; message: string };

const sharedFloats = (n: number) => new Float32Array(new SharedArrayBuffer(n * Float32Array.BYTES_PER_ELEMENT));

/** Threads worth using for a backend: the wasm and cpu backends run one core each; native tfjs and GPUs use their own threads. */
export function defaultThreads(backend: BackendName): number {
  return backend === "wasm" || backend === "cpu" ? Math.min(2, availableParallelism()) : 1;
}

/**
 * Copies a float32 tensor's values into out at offset. On wasm straight from the heap: dataSync
 * there first copies into a new ArrayBuffer, and for a model's weights or gradients (3.4 MB on
 * the bench's small model, every step) those allocations and their garbage collection cost more
 * than the copy.
 */
function copyValues(t: tf.Tensor, out: Float32Array, offset: number): void {
  const backend = tf.backend();
  out.set(backend instanceof BackendWasm ? (backend.typedArrayFromHeap(t) as Float32Array) : (t.dataSync() as Float32Array), offset);
}

const paramCount = (model: GPT) => Object.values(model.params).reduce((n, p) => n + p.size, 0);

/** Every parameter's values, in the model's parameter order, in one array (`out` when given). */
export function flatWeights(model: GPT, out: Float32Array = new Float32Array(paramCount(model))): Float32Array {
  const params = Object.values(model.params);
  let offset = 0;
  for (const p of params) {
    copyValues(p, out, offset);
    offset += p.size;
  }
  return out;
}

/** One tensor per parameter, by name, from an array in flatWeights' layout (weights or gradients). */
export function unflatten(model: GPT, flat: Float32Array): Record<string, tf.Tensor> {
  const params = Object.entries(model.params);
  const size = params.reduce((n, [, p]) => n + p.size, 0);
  if (flat.length !== size) throw new Error(`the array has ${flat.length} values, the model ${size}`);
  const out: Record<string, tf.Tensor> = {};
  let offset = 0;
  for (const [name, p] of params) {
    out[name] = tf.tensor(flat.subarray(offset, offset + p.size), p.shape);
    offset += p.size;
  }
  return out;
}

/** The inverse of flatWeights. */
export function assignFlat(model: GPT, flat: Float32Array): void {
  tf.tidy(() => {
    for (const [name, t] of Object.entries(unflatten(model, flat))) model.params[name].assign(t);
  });
}

/** Tokens that count in the loss: the mean the LM loss takes is over these. */
function lossWeight(batch: LmBatch): number {
  if (!batch.lossWeights) return batch.B * batch.T;
  let w = 0;
  for (const x of batch.lossWeights) w += x;
  return w;
}

/** Loss and gradient (flattened in parameter order, into `grads` when given) of the LM loss on one share of a batch. */
export function shardGradients(model: GPT, batch: LmBatch, grads: Float32Array = new Float32Array(paramCount(model))): { loss: number; weight: number; grads: Float32Array } {
  const names = Object.keys(model.params);
  const loss = tf.tidy(() => {
    const { value, grads: byName } = lossGradients(model, batch, lmLoss, names);
    let offset = 0;
    for (const n of names) {
      // a parameter the LM loss does not reach (a value or reward head) gets a zero gradient
      if (byName[n]) copyValues(byName[n], grads, offset);
      else grads.fill(0, offset, offset + model.params[n].size);
      offset += model.params[n].size;
    }
    return value.dataSync()[0];
  });
  return { loss, weight: lossWeight(batch), grads };
}

/** Rows [from, to) of a batch, copied (a view would send its whole buffer to a thread). */
export function sliceRows(batch: LmBatch, from: number, to: number): LmBatch {
  const { T } = batch;
  return {
    B: to - from,
    T,
    inputs: batch.inputs.slice(from * T, to * T),
    targets: batch.targets.slice(from * T, to * T),
    ...(batch.attentionMask ? { attentionMask: batch.attentionMask.slice(from, to) } : {}),
    ...(batch.lossWeights ? { lossWeights: batch.lossWeights.slice(from * T, to * T) } : {}),
    // Each share its own masks: shares of one step with one seed would drop the same units.
    ...(batch.dropoutSeed !== undefined ? { dropoutSeed: batch.dropoutSeed + 1000 * from } : {}),
  };
}

/** Row ranges of `parts` near-equal shares; the main thread's share comes first. */
export function shareRows(B: number, parts: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0, from = 0; i < parts; i++) {
    const to = from + Math.floor(B / parts) + (i < B % parts ? 1 : 0);
    out.push([from, to]);
    from = to;
  }
  return out.filter(([a, b]) => b > a);
}

class Replica {
  /** Shared with the worker thread (see FromMain). */
  readonly weights: Float32Array;
  readonly grads: Float32Array;
  private pending: { resolve: (m: ToMain) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(
    private readonly worker: Worker,
    size: number,
  ) {
    this.weights = sharedFloats(size);
    this.grads = sharedFloats(size);
    worker.on("message", (m: ToMain) => {
      const p = this.pending;
      this.pending = null;
      if (m.type === "error") p?.reject(new Error(`data-parallel worker failed: ${m.message}`));
      else p?.resolve(m);
    });
    const fail = (e: Error) => {
      this.failure = e;
      this.pending?.reject(e);
      this.pending = null;
    };
    worker.on("error", (e) => fail(new Error(`data-parallel worker crashed: ${e.message}`)));
    worker.on("exit", (code) => fail(new Error(`data-parallel worker exited with code ${code}`)));
  }

  request(msg: FromMain): Promise<ToMain> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error("data-parallel worker is busy"));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(msg);
    });
  }

  /** The gradient of the LM loss on `batch` at `model`'s current weights; `grads` holds it until the next step. */
  async step(model: GPT, batch: LmBatch): Promise<{ loss: number; weight: number; grads: Float32Array }> {
    flatWeights(model, this.weights);
    const reply = await this.request({ type: "step", batch });
    if (reply.type !== "grads") throw new Error(`data-parallel worker answered ${reply.type} to a step`);
    return { loss: reply.loss, weight: reply.weight, grads: this.grads };
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners("exit");
    await this.worker.terminate();
  }
}

export class DataParallel {
  /** The main thread's share of the gradient, then the weighted sum of all shares; reused every step. */
  private own: Float32Array | null = null;

  private constructor(
    private readonly model: GPT,
    private readonly replicas: Replica[],
  ) {}

  /** Starts threads - 1 replicas of the model (the main thread is the first share). */
  static async start(model: GPT, backend: BackendName, threads: number): Promise<DataParallel> {
    const replicas: Replica[] = [];
    try {
      for (let i = 1; i < threads; i++) {
        const replica = new Replica(new Worker(new URL("./parallel-worker.mjs", import.meta.url)), paramCount(model));
        replicas.push(replica);
        const shapes = Object.entries(model.params).map(([n, p]): [string, number[]] => [n, p.shape]);
        const reply = await replica.request({ type: "init", backend, config: model.config, shapes, weights: replica.weights, grads: replica.grads });
        if (reply.type !== "ready") throw new Error(`data-parallel worker answered ${reply.type} to init`);
      }
    } catch (e) {
      await Promise.all(replicas.map((r) => r.close()));
      throw e;
    }
    return new DataParallel(model, replicas);
  }

  get threads(): number {
    return this.replicas.length + 1;
  }

  /** One step of the LM loss over all threads: the same update trainStep would make on the whole batch. */
  async step(optimizer: Adam, batch: LmBatch, opts: Pick<StepOptions, "clipNorm" | "lr"> = {}): Promise<StepResult> {
    const shares = shareRows(batch.B, this.threads).map(([a, b]) => sliceRows(batch, a, b));
    const remote = shares.slice(1).map((share, i) => this.replicas[i].step(this.model, share));
    this.own ??= new Float32Array(paramCount(this.model));
    const results = [shardGradients(this.model, shares[0], this.own), ...(await Promise.all(remote))];
    const total = results.reduce((n, r) => n + r.weight, 0);
    const scale = (w: number) => (total > 0 ? w / total : 0);
    // The sum goes into the main thread's own array: its gradient has been read by then.
    const sum = results[0].grads;
    const s0 = scale(results[0].weight);
    for (let i = 0; i < sum.length; i++) sum[i] *= s0;
    for (const r of results.slice(1)) {
      const s = scale(r.weight);
      for (let i = 0; i < sum.length; i++) sum[i] += r.grads[i] * s;
    }
    const loss = results.reduce((n, r) => n + r.loss * scale(r.weight), 0);
    const norm = tf.tidy(() => applyGradients(optimizer, unflatten(this.model, sum), opts).dataSync()[0]);
    return { loss, gradNorm: norm, metrics: {} };
  }

  /**
   * The LM loss's gradient on a batch, computed by the first replica with the model's current
   * weights while the caller's thread does other work (PPO-ptx beside the PPO terms).
   */
  async lmGradients(batch: LmBatch): Promise<{ loss: number; weight: number; grads: Float32Array }> {
    if (!this.replicas.length) throw new Error("lmGradients needs a replica (threads >= 2)");
    const g = await this.replicas[0].step(this.model, batch);
    return { ...g, grads: g.grads.slice() }; // the caller's to keep: the shared array is rewritten next step
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.close()));
  }
}
