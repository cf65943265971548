/**
 * A data-parallel replica (see parallel.ts): holds a copy of the model on its own backend
 * instance, and for each step loads the weights from the array it shares with the main thread
 * and writes the gradient of its share of the batch into the other.
 */
import { parentPort } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "./backend";
import { type GPT, variableFrom } from "./model";
import { assignFlat, type FromMain, shardGradients, type ToMain } from "./parallel";

const port = parentPort;
if (!port) throw new Error("parallel-worker.ts runs only as a worker thread");
const send = (msg: ToMain) => port.postMessage(msg);
let replica: { model: GPT; weights: Float32Array; grads: Float32Array } | null = null;

port.on("message", async (msg: FromMain) => {
  try {
    if (msg.type === "init") {
      await initBackend(msg.backend);
      const params: GPT["params"] = {};
      for (const [name, shape] of msg.shapes) params[name] = variableFrom(tf.zeros(shape), true);
      replica = { model: { config: msg.config, params }, weights: msg.weights, grads: msg.grads };
      send({ type: "ready" });
      return;
    }
    if (!replica) throw new Error("step before init");
    assignFlat(replica.model, replica.weights);
    const g = shardGradients(replica.model, msg.batch, replica.grads);
    send({ type: "grads", loss: g.loss, weight: g.weight });
  } catch (e) {
    send({ type: "error", message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
