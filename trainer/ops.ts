/**
 * Differentiable building blocks with hand-written gradients.
 *
 * Why: on the wasm backend, tfjs's own gradients are slow or missing. matMul with transpose
 * flags and batched matMul fall off XNNPACK onto a scalar loop (~1 GFLOP/s instead of ~16);
 * the gather gradient needs UnsortedSegmentSum, which wasm lacks; tanh/erf/exp are many times
 * slower than sigmoid/mul. So every matmul here is a plain 2D matMul with explicit transposes,
 * batched matmuls go through depthwiseConv2d (which XNNPACK runs as a grouped GEMM), and GELU
 * is x * sigmoid(1.702 x) (Hugging Face "quick_gelu").
 */
import * as tf from "@tensorflow/tfjs";

type Saver = (tensors: tf.Tensor[]) => void;
interface Forward {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

/** tf.customGrad with typed inputs; tensors a gradient needs must go through save() to outlive the tape's tidy. */
function custom<I extends tf.Tensor[], O extends tf.Tensor>(f: (inputs: I, save: Saver) => Forward): (...inputs: I) => O {
  const op = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as Saver;
    return f(args as I, save);
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (...inputs: I) => op(...inputs) as O;
}

const T2 = (x: tf.Tensor): tf.Tensor2D => tf.transpose(x as tf.Tensor2D);
const swapLast = (x: tf.Tensor): tf.Tensor3D => tf.transpose(x as tf.Tensor3D, [0, 2, 1]);
const as2 = (x: tf.Tensor) => x as tf.Tensor2D;
const as3 = (x: tf.Tensor) => x as tf.Tensor3D;

/**
 * Column sums x [N, C] -> [C], as a [1, N] x [N, C] GEMM: tf.sum over axis 0 transposes x first
 * and then reduces on wasm (4 ms for [1024, 288]); the GEMM takes a few microseconds.
 */
export function colSum(x: tf.Tensor): tf.Tensor1D {
  const m = x as tf.Tensor2D;
  return tf.reshape(tf.matMul(tf.ones([1, m.shape[0]]), m), [-1]);
}

/** y = x W + b. x [N, I], w [I, O] (the Conv1D layout of GPT-2), b [O] -> [N, O]. */
export const linear = custom<[tf.Tensor2D, tf.Tensor2D, tf.Tensor1D], tf.Tensor2D>(([x, w, b], save) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy, [xs, ws]) => [
      tf.matMul(as2(dy), T2(ws)), // dx [N, I]
      tf.matMul(T2(xs), as2(dy)), // dw [I, O]
      colSum(dy), //                 db [O]
    ],
  };
});

/** logits = h E^T for tied embeddings. h [N, C], e [V, C] -> [N, V]. */
export const tiedHead = custom<[tf.Tensor2D, tf.Tensor2D], tf.Tensor2D>(([h, e], save) => {
  save([h, e]);
  return {
    value: tf.matMul(h, T2(e)),
    gradFunc: (dy, [hs, es]) => [
      tf.matMul(as2(dy), as2(es)), // dh [N, C]
      T2(tf.matMul(T2(hs), as2(dy))), // dE [V, C]; transposing [C, V] is far cheaper than dy [N, V]
    ],
  };
});

/** Batched matmul without falling onto wasm's scalar loop: depthwiseConv2d is a grouped GEMM in XNNPACK. */
function bmmKernel(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (tf.getBackend() !== "wasm") return tf.matMul(a, b);
  const [g, m, k] = a.shape; // a [G, M, K]
  const n = b.shape[2]; //      b [G, K, N]
  const input = tf.reshape(tf.transpose(a, [1, 2, 0]), [1, m, k, g]) as tf.Tensor4D; // [1, M, K, G]
  const filter = tf.reshape(tf.transpose(b, [1, 0, 2]), [1, k, g, n]) as tf.Tensor4D; // [1, K, G, N]
  const out = tf.depthwiseConv2d(input, filter, 1, "valid"); // [1, M, 1, G*N]
  return tf.transpose(tf.reshape(out, [m, g, n]), [1, 0, 2]); // [G, M, N]
}

/** a [G, M, K] @ b [G, K, N] -> [G, M, N]. */
export const bmm = custom<[tf.Tensor3D, tf.Tensor3D], tf.Tensor3D>(([a, b], save) => {
  save([a, b]);
  return {
    value: bmmKernel(a, b),
    gradFunc: (dy, [as, bs]) => [
      bmmKernel(as3(dy), swapLast(bs)), // da [G, M, K]
      bmmKernel(swapLast(as), as3(dy)), // db [G, K, N]
    ],
  };
});

/** x * sigmoid(1.702 x) (quick_gelu). x [N, D] -> [N, D]. */
export const quickGelu = custom<[tf.Tensor2D], tf.Tensor2D>(([x], save) => {
  const s = tf.sigmoid(tf.mul(x, 1.702));
  save([x, s]);
  return {
    value: tf.mul(x, s),
    // d/dx = s + 1.702 x s (1 - s)
    gradFunc: (dy, [xs, ss]) => tf.mul(dy, tf.add(ss, tf.mul(tf.mul(xs, 1.702), tf.mul(ss, tf.sub(1, ss))))),
  };
});

/** GPT-2's tanh GELU ("gelu_new"), for imported checkpoints; tfjs's own gradient (tanh is slow on wasm). */
export function geluNew(x: tf.Tensor2D): tf.Tensor2D {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
}

/** LayerNorm over the last axis. x [N, C], gamma [C], beta [C] -> [N, C]. */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor2D {
  const op = custom<[tf.Tensor2D, tf.Tensor1D, tf.Tensor1D], tf.Tensor2D>(([xi, g, b], save) => {
    const c = xi.shape[1];
    const xc = tf.sub(xi, tf.mean(xi, 1, true)); // [N, C]
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), 1, true), eps)); // [N, 1]
    const xhat = tf.mul(xc, rstd); // [N, C]
    save([xhat, rstd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy, [xh, rs, gs]) => {
        const dxhat = tf.mul(dy, gs); // [N, C]
        const meanD = tf.div(tf.sum(dxhat, 1, true), c); // [N, 1]
        const meanDX = tf.div(tf.sum(tf.mul(dxhat, xh), 1, true), c); // [N, 1]
        const dx = tf.mul(rs, tf.sub(tf.sub(dxhat, meanD), tf.mul(xh, meanDX)));
        return [dx, colSum(tf.mul(dy, xh)), colSum(dy)];
      },
    };
  });
  return op(x, gamma, beta);
}

/** Embedding lookup table[ids]. ids [N] int32, table [V, C] -> [N, C]; the gradient is a scatter-add. */
export function embedding(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const op = custom<[tf.Tensor2D], tf.Tensor2D>(([t], save) => {
    save([ids]);
    return {
      value: tf.gather(t, ids),
      gradFunc: (dy, [idsSaved]) => tf.scatterND(tf.reshape(idsSaved, [-1, 1]), dy, t.shape), // duplicates are summed
    };
  });
  return op(table);
}

/**
 * Per-row -log softmax(h E^T)[target] for a tied LM head, in one op: the [N, V] logits never
 * meet an elementwise kernel except softmax (one vectorised XNNPACK pass on wasm) and two row
 * maxima. h [N, C], e [V, C], targets [N] int32 -> [N].
 *
 * - log-sum-exp without exp: softmax's largest entry is exp(0) / sum exp(l - max), so
 *   -log(max p) is log sum exp(l - max), never underflowing (max p >= 1/V);
 * - the target logit as a row dot product h . E[target], not a gather from the logits;
 * - backward with the one-hot term moved to [N, C]: with d = p - onehot and g the incoming
 *   gradient per row, dh = g (p E - E[t]) and dE = p^T (g h) - scatter-add of g h at t.
 *
 * Cross-entropy written as ops on the logits (max, exp, sum, log, one-hot) takes about eight [N, V]
 * elementwise passes more: on the bench's small model that was most of the head's cost.
 */
export function tiedHeadNll(h: tf.Tensor2D, e: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const op = custom<[tf.Tensor2D, tf.Tensor2D], tf.Tensor1D>(([hi, ei], save) => {
    const [n] = hi.shape;
    const logits = tf.matMul(hi, T2(ei)); // [N, V]
    const p = tf.softmax(logits); // [N, V]
    const logSumExp = tf.neg(tf.log(tf.max(p, 1))); // [N], log sum exp(l - max l)
    const et = tf.gather(ei, targets); // [N, C]
    const targetLogit = tf.sum(tf.mul(hi, et), 1); // [N]
    save([hi, ei, p, et, targets]);
    return {
      value: tf.reshape(tf.sub(tf.add(logSumExp, tf.max(logits, 1)), targetLogit), [n]),
      gradFunc: (dy, [hs, es, ps, ets, ts]) => {
        const g = tf.reshape(dy, [-1, 1]); // [N, 1]
        const hg = tf.mul(hs, g); // [N, C]
        const dh = tf.mul(tf.sub(tf.matMul(as2(ps), as2(es)), ets), g); // [N, C]
        const pTh = T2(tf.matMul(T2(hg), as2(ps))); // [V, C]; transposing [C, V] is far cheaper than p [N, V]
        const dE = tf.sub(pTh, tf.scatterND(tf.reshape(ts, [-1, 1]), hg, es.shape)); // repeated targets are summed
        return [dh, dE];
      },
    };
  });
  return op(h, e);
}

