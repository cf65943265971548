/**
 * AdamW with bias correction, and clipping by global norm. Moments live on the backend as tensors.
 */
import * as tf from "@tensorflow/tfjs";
import { type Params, variableFrom } from "./model";
import type { HostTensor } from "./safetensors";

/** Adam's moments and step count as host arrays, for saving a resumable training state. */
export interface AdamState {
  step: number;
  m: Record<string, HostTensor>;
  v: Record<string, HostTensor>;
}

export interface AdamConfig {
  /** Learning rate. */
  lr: number;
  /** Decay of the first-moment estimate. */
  beta1: number;
  /** Decay of the second-moment estimate. */
  beta2: number;
  /** Added to sqrt(v) for stability. */
  eps: number;
  /** Decoupled weight decay, applied to matrices only (not biases, LayerNorm or heads' biases). */
  weightDecay: number;
}

const defaultAdamConfig: AdamConfig = { lr: 3e-4, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 };

export class Adam {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private t = 0;

  constructor(
    private readonly params: Params,
    readonly config: AdamConfig = defaultAdamConfig,
  ) {}

  /** Applies one update from gradients keyed by parameter name; lr overrides config.lr (schedules). */
  apply(grads: Record<string, tf.Tensor>, lr = this.config.lr): void {
    const { beta1, beta2, eps, weightDecay } = this.config;
    this.t += 1;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    tf.tidy(() => {
      for (const [name, g] of Object.entries(grads)) {
        const p = this.params[name];
        if (!p) throw new Error(`gradient for unknown parameter ${name}`);
        const m = this.slot(this.m, name, p);
        const v = this.slot(this.v, name, p);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const step = tf.div(tf.mul(m, lr / c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        const decayed = weightDecay > 0 && p.rank >= 2 ? tf.mul(p, 1 - lr * weightDecay) : p;
        p.assign(tf.sub(decayed, step));
      }
    });
  }

  get stepCount(): number {
    return this.t;
  }

  /** A copy of the moments and step count (resuming after a crash continues the same updates). */
  exportState(): AdamState {
    const host = (map: Map<string, tf.Variable>) =>
      Object.fromEntries([...map].map(([k, s]) => [k, { shape: s.shape, data: s.dataSync() as Float32Array }]));
    return { step: this.t, m: host(this.m), v: host(this.v) };
  }

  /** Restores a state from exportState(); moments of unknown parameters are refused. */
  importState(state: AdamState): void {
    this.dispose();
    for (const [map, src] of [[this.m, state.m], [this.v, state.v]] as const) {
      for (const [name, t] of Object.entries(src)) {
        if (!this.params[name]) throw new Error(`optimizer state for unknown parameter ${name}`);
        map.set(name, variableFrom(tf.tensor(t.data, t.shape), false));
      }
    }
    this.t = state.step;
  }

  dispose(): void {
    for (const s of [...this.m.values(), ...this.v.values()]) s.dispose();
    this.m.clear();
    this.v.clear();
  }

  private slot(map: Map<string, tf.Variable>, name: string, p: tf.Variable): tf.Variable {
    let s = map.get(name);
    if (!s) {
      s = variableFrom(tf.zerosLike(p), false);
      map.set(name, s);
    }
    return s;
  }
}

/** Scales gradients so their global L2 norm is at most maxNorm; returns the new map and the norm before. */
export function clipByGlobalNorm(
  grads: Record<string, tf.Tensor>,
  maxNorm: number,
): { grads: Record<string, tf.Tensor>; norm: tf.Scalar } {
  const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
  if (!(maxNorm > 0)) return { grads, norm };
  const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
  const clipped: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) clipped[k] = tf.mul(g, scale);
  return { grads: clipped, norm };
}
