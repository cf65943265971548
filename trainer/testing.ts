/**
 * Helpers shared by the trainer's tests: backends to run on, a tiny config, seeded tensors.
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendName } from "./env";
import type { ModelConfig } from "./model";
import { createRng } from "./rng";

/** The issue asks every model test to run on wasm and cpu. */
export const testBackends: BackendName[] = ["wasm", "cpu"];

export const tinyConfig: ModelConfig = {
  vocabSize: 64,
  contextLength: 16,
  layers: 2,
  heads: 2,
  dModel: 16,
  dropout: 0,
  activation: "quick_gelu",
  layerNormEpsilon: 1e-5,
};

export function seededTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => rng.normal() * scale), shape);
}
