import pino from "pino";
import { env } from "@/lib/env";

/** Structured JSON logs. Anything that could hold a secret is redacted by path. */
export const logger = pino({
  level: env.LOG_LEVEL,
  base: { service: env.PAIRWISE_SERVICE },
  redact: {
    paths: [
      "password",
      "*.password",
      "passwordHash",
      "*.passwordHash",
      "token",
      "*.token",
      "authorization",
      "*.authorization",
      "headers.authorization",
      "headers.cookie",
      "*.headers.cookie",
      "cookie",
    ],
    censor: "[redacted]",
  },
});

export type Logger = typeof logger;
