import type { JudgmentDto, Task } from "@/lib/labeling/schema";

/**
 * A judgment made on this page, as the undo stack holds it from the moment Enter sends it: Undo
 * names the latest one whether or not the server has answered yet.
 */
export type Judged = {
  submissionId: string;
  /** The pair it judged, to put back on screen when it is taken back before it was sent. */
  task: Task;
  /** The stored judgment once the server answers; null if it was refused for good or never sent. */
  stored: Promise<JudgmentDto | null>;
};

type Outgoing = { sent: boolean; withdrawn: boolean; settle: (judgment: JudgmentDto | null) => void };

/**
 * Where each judgment sent from the page stands, so that an undo is never applied before the
 * judgment it undoes is stored. Undo removes a judgment by the id the server gave it:
 * - a judgment still waiting to be sent (offline, react-query holds it until the browser is back
 *   online) exists nowhere but here, so undoing it withdraws it on the page: it is never sent,
 *   and its pair comes straight back. Nothing on the server needs undoing, and the labeler need
 *   not wait for the connection to get the pair back;
 * - a judgment whose request has left the page may be stored even when no answer came (the
 *   answer can be lost on the way back), and it is resent with the same id until it is stored or
 *   refused; its undo waits for that answer, then removes the stored judgment by its id.
 */
export class JudgmentOutbox {
  #outgoing = new Map<string, Outgoing>();

  /** A judgment about to be sent, for the undo stack. */
  add(submissionId: string, task: Task): Judged {
    let settle!: Outgoing["settle"];
    const stored = new Promise<JudgmentDto | null>((resolve) => (settle = resolve));
    this.#outgoing.set(submissionId, { sent: false, withdrawn: false, settle });
    return { submissionId, task, stored };
  }

  /**
   * Runs `request` (each attempt of the judgment's mutation) unless the judgment was withdrawn,
   * which answers null and sends nothing. From its first attempt on, it can no longer be withdrawn.
   */
  async send<T>(submissionId: string, request: () => Promise<T>): Promise<T | null> {
    const outgoing = this.#outgoing.get(submissionId);
    if (outgoing?.withdrawn) {
      this.#outgoing.delete(submissionId);
      return null;
    }
    if (outgoing) outgoing.sent = true;
    return request();
  }

  /** The server's last word on a judgment: stored, or refused for good (null). */
  settle(submissionId: string, judgment: JudgmentDto | null): void {
    this.#outgoing.get(submissionId)?.settle(judgment);
    this.#outgoing.delete(submissionId);
  }

  /** Takes back a judgment that has not been sent; false once it may have reached the server. */
  withdraw(submissionId: string): boolean {
    const outgoing = this.#outgoing.get(submissionId);
    if (!outgoing || outgoing.sent) return false;
    outgoing.withdrawn = true;
    outgoing.settle(null);
    return true;
  }

  isWithdrawn(submissionId: string): boolean {
    return this.#outgoing.get(submissionId)?.withdrawn === true;
  }
}
