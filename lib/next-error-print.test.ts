import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NextErrorPrints } from "./next-error-print";

/** Next's error prefix as its logger writes it on a terminal: a bold red ⨯. */
const COLOURED_PREFIX = "\u001b[31m\u001b[1m⨯\u001b[22m\u001b[39m";

function setup() {
  const printed: unknown[][] = [];
  const unclaimed: object[] = [];
  const prints = new NextErrorPrints({ print: (...args) => printed.push(args), logUnclaimed: (err) => unclaimed.push(err), graceMs: 1000 });
  return { prints, printed, unclaimed };
}

const failure = () => Object.assign(new Error('relation "api_tokens" does not exist'), { digest: "2918264386" });

describe("Next's print of a request's error", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("is dropped once onRequestError logs the same error, whichever comes first", () => {
    const { prints, printed, unclaimed } = setup();
    const printedFirst = failure();
    prints.consoleError(COLOURED_PREFIX, printedFirst);
    prints.claim(printedFirst);
    const claimedFirst = failure();
    prints.claim(claimedFirst);
    prints.consoleError("⨯", claimedFirst);
    vi.advanceTimersByTime(5000);
    prints.flush();
    expect(printed).toEqual([]);
    expect(unclaimed).toEqual([]);
  });

  it("is logged as a line of its own, once, when onRequestError does not log it in time", () => {
    const { prints, printed, unclaimed } = setup();
    const err = failure();
    prints.consoleError("⨯", err);
    prints.consoleError("⨯", err);
    vi.advanceTimersByTime(999);
    expect(unclaimed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(unclaimed).toEqual([err]);
    // Claimed too late, or printed again: nothing more.
    prints.claim(err);
    prints.consoleError("⨯", err);
    vi.advanceTimersByTime(5000);
    expect(unclaimed).toEqual([err]);
    expect(printed).toEqual([]);
  });

  it("still held when the process exits is logged by the flush", () => {
    const { prints, unclaimed } = setup();
    const held = failure();
    const claimed = failure();
    prints.consoleError("⨯", held);
    prints.consoleError("⨯", claimed);
    prints.claim(claimed);
    prints.flush();
    expect(unclaimed).toEqual([held]);
    vi.advanceTimersByTime(5000);
    expect(unclaimed).toEqual([held]);
  });

  it("is the only console.error held: messages, other shapes and Next's other errors pass at once", () => {
    const { prints, printed, unclaimed } = setup();
    const err = failure();
    const calls: unknown[][] = [
      ["plain message"],
      [err],
      ["⨯", "Failed to start server"],
      ["⨯", "uncaughtException: ", err],
      ["Error in instrumentation.onRequestError:", err],
      ["⨯", { digest: "1" }],
    ];
    for (const args of calls) prints.consoleError(...args);
    expect(printed).toEqual(calls);
    vi.advanceTimersByTime(5000);
    expect(unclaimed).toEqual([]);
  });
});
