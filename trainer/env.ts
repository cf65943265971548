/**
 * The trainer's environment, parsed once. Nothing else in trainer/ reads process.env.
 */
import { z } from "zod";

export const backendNames = ["node-gpu", "node", "wasm", "cpu"] as const;
export type BackendName = (typeof backendNames)[number];

const schema = z.object({
  /** Root folder of the folder checkpoint store. */
  CHECKPOINT_DIR: z.string().min(1).default(".data/checkpoints"),
  /** Forces one backend instead of the first that loads. */
  TRAINER_BACKEND: z.enum(backendNames).optional(),
});

const parsed = schema.safeParse(process.env);
if (!parsed.success) {
  throw new Error(`trainer environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
}

export const trainerEnv = parsed.data;
