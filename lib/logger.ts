import pino, { type LoggerOptions } from "pino";
import { env } from "@/lib/env";

/**
 * Structured JSON logs. Anything that could hold a secret is redacted by path.
 * @public lib/security/secrets-in-logs.test.ts builds its capturing logger from these (via vi.mock).
 */
export const loggerOptions: LoggerOptions = {
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
};

export const logger = pino(loggerOptions);

export type Logger = typeof logger;
