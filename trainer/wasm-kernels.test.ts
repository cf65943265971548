import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { createRng } from "./rng";

/** The box begin/size of a row-major array of the given shape, computed element by element. */
function referenceSlice(values: ArrayLike<number>, shape: number[], begin: number[], size: number[]): number[] {
  const strides = tf.util.computeStrides(shape);
  const out: number[] = [];
  const total = tf.util.sizeFromShape(size);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let offset = 0;
    for (let d = size.length - 1; d >= 0; d--) {
      const i = rest % size[d]!;
      rest = Math.floor(rest / size[d]!);
      offset += (begin[d]! + i) * (d === shape.length - 1 ? 1 : strides[d]!);
    }
    out.push(values[offset]!);
  }
  return out;
}

describe("wasm Slice, SplitV, Unpack, Transpose and GatherV2 replacements (trainer/wasm-kernels.ts)", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("slice random boxes of rank 1-5 in float32, int32 and bool exactly", () => {
    const rng = createRng(7);
    const int = (n: number) => Math.floor(rng.next() * n);
    for (let trial = 0; trial < 200; trial++) {
      const rank = 1 + int(5);
      const shape = Array.from({ length: rank }, () => 1 + int(6));
      const begin = shape.map((n) => int(n));
      const size = shape.map((n, d) => 1 + int(n - begin[d]!));
      const dtype = (["float32", "int32", "bool"] as const)[trial % 3]!;
      const values = Array.from({ length: tf.util.sizeFromShape(shape) }, (_, i) => (dtype === "bool" ? i % 3 === 0 : dtype === "int32" ? i - 50 : i + 0.5));
      const x = tf.tensor(values as number[], shape, dtype);
      const y = tf.slice(x, begin, size);
      expect(y.shape).toEqual(size);
      expect(Array.from(y.dataSync())).toEqual(referenceSlice(x.dataSync(), shape, begin, size));
      tf.dispose([x, y]);
    }
  });

  it("split the q/k/v columns and unstack a stacked tensor like the definitions say", () => {
    const qkv = tf.tensor2d(Array.from({ length: 4 * 9 }, (_, i) => i), [4, 9]);
    const [q, k, v] = tf.split(qkv, 3, 1);
    expect(q!.arraySync()).toEqual([[0, 1, 2], [9, 10, 11], [18, 19, 20], [27, 28, 29]]);
    expect(v!.arraySync()).toEqual([[6, 7, 8], [15, 16, 17], [24, 25, 26], [33, 34, 35]]);
    const uneven = tf.split(qkv, [2, 7], 1);
    expect(uneven.map((t) => t.shape)).toEqual([[4, 2], [4, 7]]);
    expect((uneven[1]!.arraySync() as number[][])[3]).toEqual([29, 30, 31, 32, 33, 34, 35]);
    const parts = tf.unstack(tf.reshape(qkv, [2, 2, 9]), 1);
    expect(parts.map((t) => t.shape)).toEqual([[2, 9], [2, 9]]);
    expect((parts[1]!.arraySync() as number[][])[1]).toEqual([27, 28, 29, 30, 31, 32, 33, 34, 35]);
    const strings = tf.slice(tf.tensor1d(["a", "b", "c", "d"], "string"), 2, 2);
    expect(strings.arraySync()).toEqual(["c", "d"]);
    tf.dispose([qkv, q!, k!, v!, ...uneven, ...parts, strings]);
  });

  it("transpose tall matrices (the blocked copy) and others (the wasm kernel) exactly", () => {
    for (const [rows, cols, dtype] of [[1024, 96, "float32"], [300, 37, "int32"], [257, 256, "float32"], [96, 4096, "float32"], [5, 3, "bool"]] as const) {
      const values = Array.from({ length: rows * cols }, (_, i) => (dtype === "bool" ? i % 5 === 0 : i % 1000) as number);
      const x = tf.tensor2d(values, [rows, cols], dtype);
      const t = tf.transpose(x);
      expect(t.shape).toEqual([cols, rows]);
      const got = t.dataSync();
      const want = x.dataSync();
      let wrong = 0;
      for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) if (got[j * rows + i] !== want[i * cols + j]) wrong++;
      expect(wrong).toBe(0);
      tf.dispose([x, t]);
    }
    const x3 = tf.tensor3d(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    expect((tf.transpose(x3, [2, 0, 1]).arraySync() as number[][][])[3]![1]).toEqual([15, 19, 23]); // y[c][a][b] = x[a][b][c]
    expect((tf.transpose(x3, [1, 0, 2]).arraySync() as number[][][])[2]![1]).toEqual([20, 21, 22, 23]);
  });

  it("gather rows like a lookup table, refuse indices out of range, and leave other axes to the wasm kernel", () => {
    const table = tf.tensor2d(Array.from({ length: 5 * 3 }, (_, i) => i), [5, 3]);
    const rows = tf.gather(table, tf.tensor2d([[4, 0], [2, 2]], [2, 2], "int32"));
    expect(rows.arraySync()).toEqual([[[12, 13, 14], [0, 1, 2]], [[6, 7, 8], [6, 7, 8]]]);
    expect(() => tf.gather(table, tf.tensor1d([1, 5], "int32"))).toThrow(/index value 5 is not in \[0, 4\]/);
    expect(tf.gather(table, tf.tensor1d([2, 0], "int32"), 1).arraySync()).toEqual([[2, 0], [5, 3], [8, 6], [11, 9], [14, 12]]);
    expect(tf.gather(tf.tensor1d([true, false, true], "bool"), tf.tensor1d([1, 2], "int32")).arraySync()).toEqual([0, 1]);
  });

  it("keep gradients flowing through a split (its gradient is a concat)", () => {
    const x = tf.tensor2d([[1, 2, 3, 4]]);
    const g = tf.grad((t: tf.Tensor) => {
      const [a, b] = tf.split(t, 2, 1);
      return tf.sum(tf.add(tf.mul(a!, 2), tf.mul(b!, 3)));
    })(x);
    expect(g.arraySync()).toEqual([[2, 2, 3, 3]]);
    tf.dispose([x, g]);
  });
});
