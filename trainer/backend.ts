/**
 * Picks the tfjs backend at run time: tfjs-node-gpu, then tfjs-node, then wasm, then cpu.
 * TRAINER_BACKEND (or the `force` argument) selects one and fails loudly if it cannot load.
 */
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { type BackendName, backendNames, trainerEnv } from "./env";
import { installFastWasmKernels } from "./wasm-kernels";

export type { BackendName };

const require = createRequire(import.meta.url);
let active: BackendName | undefined;
let wasmPathsSet = false;

/** Where the wasm backend's .wasm binaries live, as a file path Node can read. */
function wasmDir(): string {
  return path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + path.sep;
}

async function tryNative(pkg: string): Promise<boolean> {
  try {
    // The native packages are optional dependencies: absent offline, so import them lazily.
    await import(/* @vite-ignore */ pkg);
    return await tf.setBackend("tensorflow");
  } catch {
    return false;
  }
}

async function tryBackend(name: BackendName): Promise<boolean> {
  switch (name) {
    case "node-gpu":
      return tryNative("@tensorflow/tfjs-node-gpu");
    case "node":
      return tryNative("@tensorflow/tfjs-node");
    case "wasm":
      if (!wasmPathsSet) setWasmPaths(wasmDir()); // may only be set before the backend first loads
      wasmPathsSet = true;
      installFastWasmKernels();
      return tf.setBackend("wasm").catch(() => false);
    case "cpu":
      return tf.setBackend("cpu");
  }
}

/** Initialises the backend once per thread and returns its name. */
export async function initBackend(force: BackendName | undefined = trainerEnv.TRAINER_BACKEND): Promise<BackendName> {
  if (active && (!force || force === active)) return active;
  const order = force ? [force] : backendNames;
  for (const name of order) {
    if (await tryBackend(name)) {
      await tf.ready();
      active = name;
      return name;
    }
  }
  throw new Error(`backend ${force ?? "any"} could not be loaded (tried ${order.join(", ")})`);
}

/** The backend initBackend chose; throws when it has not run yet. */
export function activeBackend(): BackendName {
  if (!active) throw new Error("initBackend() has not been called");
  return active;
}
