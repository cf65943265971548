/**
 * The trainer's view of the environment. Parsing happens once, in lib/env.ts; nothing in
 * trainer/ reads process.env.
 */
import { backendNames, checkpointDir, env } from "@/lib/env";

export { backendNames };
export type BackendName = (typeof backendNames)[number];

export const trainerEnv = {
  /** Root folder of the folder checkpoint store. */
  CHECKPOINT_DIR: checkpointDir,
  /** Forces one backend instead of the first that loads. */
  TRAINER_BACKEND: env.TRAINER_BACKEND satisfies BackendName | undefined,
  /** A python with torch and transformers, for the parity check against Hugging Face. */
  HF_PYTHON: env.HF_PYTHON,
};
