/**
 * Replacements for tfjs wasm kernels that are slow for reasons unrelated to their arithmetic.
 *
 * Slice (and SplitV and Unpack, which call it) first reads its whole input into a new
 * JavaScript ArrayBuffer, then copies the slice out of that copy. Splitting attention's
 * [1024, 288] q/k/v projection into three thus allocated 3.5 MB of JavaScript memory, and the
 * garbage collection that follows made each split cost 4-11 ms (`bench/train-throughput/profile.ts`
 * showed SplitV at 29 ms of a 360 ms step). The versions here copy rows straight from the input
 * to the output inside the wasm heap (`copyWithin`, a memmove), allocating nothing.
 *
 * Transpose of a tall matrix (the activations [B*T, C] whose transposes the weight gradients
 * x^T dy need) writes with a stride of B*T floats, a power of two here, and runs at about 9 ns
 * per element ([1024, 384]: 3.5 ms). A 32x32-blocked copy in JavaScript over the heap does it
 * in 0.6 ms. Wide and batched transposes stay with the wasm kernel, which is faster for them.
 *
 * GatherV2 along axis 0 (embedding lookups) took 3-4 ms for 1,024 rows of a [4096, 96] table;
 * copying the rows inside the heap takes a small fraction of that.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

type Info = tf.TensorInfo;
interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: BackendWasm;
}

/** Copies the box `begin`/`size` of x into a new tensor (of shape `outShape`) without leaving the wasm heap. */
function sliceInHeap(backend: BackendWasm, x: Info, begin: number[], size: number[], outShape = size): Info {
  const out = backend.makeOutput(outShape, x.dtype); // may grow the heap: take offsets only after it
  const bytes = tf.util.bytesPerElement(x.dtype);
  const heap = backend.wasm.HEAPU8;
  const from = backend.dataIdMap.get(x.dataId)!.memoryOffset;
  const to = backend.dataIdMap.get(out.dataId)!.memoryOffset;
  const strides = tf.util.computeStrides(x.shape);
  const rank = x.shape.length;
  // Copy runs of the last dimension; walk the other dimensions like an odometer.
  const run = (rank === 0 ? 1 : size[rank - 1]!) * bytes;
  const rows = rank <= 1 ? 1 : tf.util.sizeFromShape(size.slice(0, -1));
  const index = new Array<number>(Math.max(0, rank - 1)).fill(0);
  let written = to;
  for (let r = 0; r < rows; r++) {
    let offset = rank === 0 ? 0 : begin[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) offset += (begin[d]! + index[d]!) * strides[d]!;
    heap.copyWithin(written, from + offset * bytes, from + offset * bytes + run);
    written += run;
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d]! < size[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

function slice({ inputs, attrs, backend }: KernelArgs): Info {
  const x = inputs.x!;
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.TensorInfo as tf.Tensor, attrs!.begin as number[], attrs!.size as number[]);
  return sliceInHeap(backend, x, begin, size);
}

function splitV({ inputs, attrs, backend }: KernelArgs): Info[] {
  const x = inputs.x!;
  const axis = tf.util.parseAxisParam(attrs!.axis as number, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs!.numOrSizeSplits as number[] | number, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const part = sliceInHeap(backend, x, [...begin], size);
    begin[axis]! += s;
    return part;
  });
}

function unpack({ inputs, attrs, backend }: KernelArgs): Info[] {
  const value = inputs.value!;
  const axis = tf.util.parseAxisParam(attrs!.axis as number, value.shape)[0]!;
  const n = value.shape[axis]!;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const size = [...value.shape];
  size[axis] = 1;
  return Array.from({ length: n }, (_, i) => {
    const begin = new Array<number>(value.shape.length).fill(0);
    begin[axis] = i;
    return sliceInHeap(backend, value, begin, size, outShape);
  });
}

/** A 4-byte dtype, and tall enough for the blocked copy to win (measured: [1024, 96] 0.18 vs 0.86 ms; [96, 4096] 0.90 vs 0.26 ms). */
const isTall = (x: Info, perm: number[]) =>
  tf.util.bytesPerElement(x.dtype) === 4 && x.shape.length === 2 && perm[0] === 1 && x.shape[0]! >= 256 && x.shape[0]! > x.shape[1]!;

/** out[j, i] = x[i, j] for a 4-byte dtype, in 32x32 blocks: reads stride down a block's rows, writes run along them. */
function transposeTall(backend: BackendWasm, x: Info): Info {
  const [rows, cols] = x.shape as [number, number];
  const out = backend.makeOutput([cols, rows], x.dtype);
  const heap = new Int32Array(backend.wasm.HEAPU8.buffer); // bit copies: float32 goes through unchanged
  const from = backend.dataIdMap.get(x.dataId)!.memoryOffset / 4;
  const to = backend.dataIdMap.get(out.dataId)!.memoryOffset / 4;
  const block = 32;
  for (let i0 = 0; i0 < rows; i0 += block) {
    const i1 = Math.min(rows, i0 + block);
    for (let j0 = 0; j0 < cols; j0 += block) {
      const j1 = Math.min(cols, j0 + block);
      for (let j = j0; j < j1; j++) {
        let o = to + j * rows + i0;
        let k = from + i0 * cols + j;
        for (let i = i0; i < i1; i++, o++, k += cols) heap[o] = heap[k]!;
      }
    }
  }
  return out;
}

/** Rows of x (axis 0, no batch dims) at the given indices, each copied within the heap. */
function gatherRows({ inputs, attrs, backend }: KernelArgs): Info | null {
  const { x, indices } = inputs as { x: Info; indices: Info };
  if ((attrs!.batchDims as number) !== 0 || tf.util.parseAxisParam(attrs!.axis as number, x.shape)[0] !== 0 || indices.dtype !== "int32") return null;
  const rows = x.shape[0]!;
  const rowShape = x.shape.slice(1);
  const out = backend.makeOutput([...indices.shape, ...rowShape], x.dtype);
  const heap = backend.wasm.HEAPU8;
  const ids = new Int32Array(heap.buffer, backend.dataIdMap.get(indices.dataId)!.memoryOffset, tf.util.sizeFromShape(indices.shape));
  const rowBytes = tf.util.sizeFromShape(rowShape) * tf.util.bytesPerElement(x.dtype);
  const from = backend.dataIdMap.get(x.dataId)!.memoryOffset;
  let to = backend.dataIdMap.get(out.dataId)!.memoryOffset;
  for (const id of ids) {
    if (!(id >= 0 && id < rows)) {
      backend.disposeData(out.dataId);
      throw new Error(`GatherV2: the index value ${id} is not in [0, ${rows - 1}]`);
    }
    heap.copyWithin(to, from + id * rowBytes, from + (id + 1) * rowBytes);
    to += rowBytes;
  }
  return out;
}

let installed = false;

/** Registers the replacements for the wasm backend (once per thread; other dtypes than string only). */
export function installFastWasmKernels(): void {
  if (installed) return;
  installed = true;
  // Each replacement answers null where the wasm kernel should run after all.
  const replacements: Array<[string, (args: never) => Info | Info[] | null]> = [
    ["Slice", slice],
    ["SplitV", splitV],
    ["Unpack", unpack],
    ["Transpose", ({ inputs, attrs, backend }: KernelArgs) => (isTall(inputs.x!, attrs!.perm as number[]) ? transposeTall(backend, inputs.x!) : null)],
    ["GatherV2", gatherRows],
  ];
  for (const [kernelName, fast] of replacements) {
    const original = tf.getKernel(kernelName, "wasm");
    if (!original) continue;
    tf.unregisterKernel(kernelName, "wasm");
    tf.registerKernel({
      kernelName,
      backendName: "wasm",
      setupFunc: original.setupFunc,
      disposeFunc: original.disposeFunc,
      kernelFunc: ((args: KernelArgs) => {
        const first = Object.values(args.inputs)[0]!;
        if (first.dtype === "string") return original.kernelFunc(args as never);
        return fast(args as never) ?? original.kernelFunc(args as never);
      }) as tf.KernelFunc,
    });
  }
}
