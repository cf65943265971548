/**
 * A data-parallel replica (see parallel.ts): holds a copy of the model on its own backend
 * instance, and for each step loads the weights it is sent and returns the gradient of its
 * share of the batch.
 */
import { parentPort } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "./backend";
import { type GPT, variableFrom } from "./model";
import { assignFlat, type FromMain, shardGradients, type ToMain } from "./parallel";

const port = parentPort;
if (!port) throw new Error("parallel-worker.ts runs only as a worker thread");
const send = (msg: ToMain, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);
let model: GPT | null = null;

port.on("message", async (msg: FromMain) => {
  try {
    if (msg.type === "init") {
      await initBackend(msg.backend);
      const params: GPT["params"] = {};
      for (const [name, shape] of msg.shapes) params[name] = variableFrom(tf.zeros(shape), true);
      model = { config: msg.config, params };
      send({ type: "ready" });
      return;
    }
    if (!model) throw new Error("step before init");
    assignFlat(model, msg.weights);
    const g = shardGradients(model, msg.batch);
    send({ type: "grads", loss: g.loss, weight: g.weight, grads: g.grads }, [g.grads.buffer as ArrayBuffer]);
  } catch (e) {
    send({ type: "error", message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
