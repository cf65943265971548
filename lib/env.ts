/**
 * The one place that reads process.env. Parsed once; a bad value fails at start with
 * the variable's name, instead of surfacing later as a confusing runtime error.
 */
import path from "node:path";
import { z } from "zod";

const port = z.coerce.number().int().min(1).max(65535);

/** tfjs backends, in the order the trainer tries them: tfjs-node-gpu, tfjs-node, wasm, cpu. */
export const backendNames = ["node-gpu", "node", "wasm", "cpu"] as const;

const schema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** Postgres to use. Unset: `npm start` launches the embedded server and sets it for its children. */
  DATABASE_URL: z.string().url().optional(),
  /** Web port. */
  PORT: port.default(3000),
  /** Port of the embedded PostgreSQL (not 5432, which a system server may hold). */
  EMBEDDED_PG_PORT: port.default(54329),
  /** Folder for the embedded database, the generated auth secret and logs. */
  PAIRWISE_DATA_DIR: z.string().default(".data"),
  /** Where checkpoints are stored. */
  CHECKPOINT_DIR: z.string().optional(),
  /** Password of the seeded demo accounts. Change it on any shared machine. */
  PAIRWISE_DEMO_PASSWORD: z.string().min(8).default("pairwise-demo"),
  /** Signs session JWTs. `npm start` generates one under PAIRWISE_DATA_DIR when unset. */
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  /** Public URL of the app, used by next-auth for callbacks. */
  NEXTAUTH_URL: z.string().url().optional(),
  /** Both set: the GitHub OAuth provider appears on the sign-in page. */
  GITHUB_ID: z.string().min(1).optional(),
  GITHUB_SECRET: z.string().min(1).optional(),
  /** Password for `npm run user:create` when it is not typed at the prompt. */
  PAIRWISE_NEW_USER_PASSWORD: z.string().optional(),
  /** Which process logs: web | worker | cli (set by `npm start` for its children). */
  PAIRWISE_SERVICE: z.string().default("cli"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Force a tfjs backend: node-gpu (tfjs-node-gpu) | node (tfjs-node) | wasm | cpu. */
  TRAINER_BACKEND: z.enum(backendNames).optional(),
  /** A python with torch and transformers (and TRL) for the tests against them: trainer/hf-parity.test.ts, lib/exports/trl-recipe.test.ts, bench/rlhf/trl-rloo.test.ts; unset: they are skipped. */
  HF_PYTHON: z.string().min(1).optional(),
  /** Comma-separated job kinds this worker takes; empty = all it supports. */
  TRAINER_KINDS: z.string().default(""),
  /** Seconds without a heartbeat after which a worker's running runs are recovered. */
  WORKER_HEARTBEAT_TIMEOUT_S: z.coerce.number().positive().default(30),
  /** Failed sign-ins allowed per account, and per IP address, in the window below. */
  SIGNIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(5),
  SIGNIN_MAX_FAILURES_PER_IP: z.coerce.number().int().positive().default(20),
  SIGNIN_WINDOW_MINUTES: z.coerce.number().positive().default(15),
});

export type Env = z.infer<typeof schema>;

function parseEnv(): Env {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

export const env = parseEnv();

export const dataDir = path.resolve(/*turbopackIgnore: true*/ env.PAIRWISE_DATA_DIR);
export const checkpointDir = path.resolve(/*turbopackIgnore: true*/ env.CHECKPOINT_DIR ?? path.join(dataDir, "checkpoints"));

/** For `npm start`, which learns the URL only once it has started the embedded server. */
export function setDatabaseUrl(url: string): void {
  env.DATABASE_URL = url;
}

/**
 * The environment for a child process (pg_dump, `next build`, the services `npm start` runs):
 * every variable of this process, not only the ones parsed above, since children read their own
 * (PATH, PGSSLMODE, NODE_OPTIONS, ...), with `extra` on top.
 */
export function childProcessEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

/** The database URL, or a clear error for a process that was started without one. */
export function databaseUrl(): string {
  if (!env.DATABASE_URL) {
    throw new Error("DATABASE_URL is not set. Run `npm start` (it starts an embedded PostgreSQL) or set DATABASE_URL.");
  }
  return env.DATABASE_URL;
}
