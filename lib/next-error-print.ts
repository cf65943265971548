import pino from "pino";
import { stripVTControlCharacters } from "node:util";
import { digestOf } from "@/lib/error-digest";
import { env } from "@/lib/env";
import { loggerOptions } from "@/lib/logger";

/**
 * Next's production server prints an error that a page, server action or route handler let
 * escape as `console.error("⨯", err)`: many lines (the stack, the error's fields, its cause,
 * `digest: '…'`), not JSON. It hands the same error object to instrumentation.ts's
 * onRequestError, which logs it as one JSON line with its digest and the request
 * (lib/request-errors.ts), so every such error was said twice. `next start` has no switch for
 * its print (only a custom server's `quiet`, which would also silence Next's other messages).
 *
 * So the print is held: dropped once onRequestError has logged that error (Next calls the hook
 * right after printing, or just before). A printed error the hook has not logged within
 * `graceMs`, or by the time the process exits (Next prints a few errors outside the hook, such
 * as a failure of its own request handling), is logged as a JSON line of its own, under its
 * digest: an error is never lost, only never said twice. Every other console.error passes as is.
 */
export class NextErrorPrints {
  readonly #held = new Map<object, ReturnType<typeof setTimeout>>();
  readonly #logged = new WeakSet<object>();

  constructor(private readonly options: { print: (...args: unknown[]) => void; logUnclaimed: (err: object) => void; graceMs: number }) {}

  /** Stands in for console.error. */
  readonly consoleError = (...args: unknown[]): void => {
    const err = printedError(args);
    if (!err) return this.options.print(...args);
    if (this.#logged.has(err) || this.#held.has(err)) return;
    this.#held.set(err, setTimeout(() => this.#logUnclaimed(err), this.options.graceMs));
  };

  /** onRequestError is logging `err`: Next's print of it, before or after this, is dropped. */
  claim(err: unknown): void {
    if (typeof err !== "object" || err === null) return;
    this.#logged.add(err);
    clearTimeout(this.#held.get(err));
    this.#held.delete(err);
  }

  /** Logs every print still held, at once. */
  flush(): void {
    for (const err of [...this.#held.keys()]) this.#logUnclaimed(err);
  }

  #logUnclaimed(err: object): void {
    clearTimeout(this.#held.get(err));
    this.#held.delete(err);
    this.#logged.add(err);
    this.options.logUnclaimed(err);
  }
}

/** The error of Next's `⨯` print (its prefix may be coloured); null for any other console.error call. */
function printedError(args: unknown[]): Error | null {
  if (args.length !== 2 || typeof args[0] !== "string" || stripVTControlCharacters(args[0]).trim() !== "⨯") return null;
  return args[1] instanceof Error ? args[1] : null;
}

let prints: NextErrorPrints | null = null;

/**
 * Installed once per web process by instrumentation.ts's register(), in production: `next dev`
 * keeps its own print, with source-mapped frames and code excerpts, beside the JSON line.
 */
export function holdNextErrorPrints(): void {
  if (prints || env.NODE_ENV !== "production") return;
  // Written synchronously, unlike the app's logger: the last of these may come from the exit handler below.
  const unclaimedLog = pino(loggerOptions, pino.destination({ dest: 1, sync: true }));
  prints = new NextErrorPrints({
    print: console.error.bind(console),
    logUnclaimed: (err) => unclaimedLog.error({ digest: digestOf(err), err }, "unhandled server error"),
    graceMs: 1000,
  });
  console.error = prints.consoleError;
  process.on("exit", () => prints?.flush());
}

/** Called as onRequestError logs an error: Next's print of it is dropped. */
export function claimNextErrorPrint(err: unknown): void {
  prints?.claim(err);
}
