/**
 * The one error type that crosses from domain code to a response. Its code says what
 * went wrong (`forbidden:export`); the part before the colon picks the HTTP status. The
 * message is safe to show; causes stay in the logs.
 */
const statusByKind = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
} as const;

export type ErrorKind = keyof typeof statusByKind;
export type ErrorCode = ErrorKind | `${ErrorKind}:${string}`;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options.details;
  }

  get kind(): ErrorKind {
    return this.code.split(":")[0] as ErrorKind;
  }

  get status(): number {
    return statusByKind[this.kind];
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
