/**
 * One simulated labeler over HTTP, as the labeling page talks to the app: next-auth
 * credentials sign-in with a cookie jar, then lease the next pair -> submit a judgment, in a
 * loop. A request that fails for a retriable reason (no connection, 5xx) is sent again; a
 * submission is always resent with the SAME client submission id, so the server stores it
 * at most once. Every submission the server acknowledged goes into the shared ledger.
 */
import { randomUUID } from "node:crypto";

/** What every labeler of a run writes into: latencies, error tallies, the ledger. */
export class LoadRecorder {
  readonly nextMs: number[] = [];
  readonly submitMs: number[] = [];
  /** "<op> <kind>" -> count; a retried attempt counts once per failure. */
  readonly errors = new Map<string, number>();
  /** Client submission ids the server acknowledged (201), with the time of the ack (ms since the load started). */
  readonly acked: { id: string; at: number }[] = [];
  /** Every client submission id sent at least once. */
  readonly attempted = new Set<string>();
  /** Acks of a resend whose judgment an earlier attempt had already stored (its answer was lost). */
  replayed = 0;
  exhausted = 0;

  constructor(readonly startedAt: number) {}

  error(kind: string): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
  }

  now(): number {
    return performance.now() - this.startedAt;
  }
}

type Reply = { status: number; body: unknown };
type Sent = Reply & { attempts: number; lastSentAt: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RETRIABLE_STATUS = new Set([500, 502, 503, 504]);

/** The reason a fetch failed before any response: the socket error's code where there is one. */
function networkKind(err: unknown): string {
  const cause = (err as { cause?: { code?: string } }).cause;
  if (cause?.code) return cause.code;
  if (err instanceof Error && err.name === "TimeoutError") return "timeout";
  return err instanceof Error ? err.name : "unknown";
}

function errorCode(body: unknown): string {
  const code = (body as { error?: { code?: string } } | null)?.error?.code;
  return code ?? "no-code";
}

export class Labeler {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly base: string,
    private readonly email: string,
    private readonly password: string,
    /** How long one operation keeps retrying before it is counted as given up. */
    private readonly retryBudgetMs = 90_000,
  ) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private keepCookies(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  }

  private async send(method: string, path: string, body?: { json?: unknown; form?: Record<string, string> }): Promise<Reply> {
    const headers: Record<string, string> = { cookie: this.cookieHeader() };
    let payload: string | undefined;
    if (body?.json !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body.json);
    } else if (body?.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      payload = new URLSearchParams(body.form).toString();
    }
    const res = await fetch(this.base + path, { method, headers, body: payload, redirect: "manual", signal: AbortSignal.timeout(30_000) });
    this.keepCookies(res);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (an HTML error page): keep the text
    }
    return { status: res.status, body: parsed };
  }

  /**
   * Sends until a non-retriable answer; null when the retry budget ran out. Errors are
   * tallied as "<op> <status> <code>" or "<op> network <code>".
   */
  private async withRetries(rec: LoadRecorder, op: string, request: () => Promise<Reply>): Promise<Sent | null> {
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const lastSentAt = Date.now();
        const reply = await request();
        if (!RETRIABLE_STATUS.has(reply.status)) return { ...reply, attempts: attempt + 1, lastSentAt };
        rec.error(`${op} ${reply.status} ${errorCode(reply.body)}`);
      } catch (err) {
        rec.error(`${op} network ${networkKind(err)}`);
      }
      if (performance.now() - started > this.retryBudgetMs) {
        rec.error(`${op} gave up after ${this.retryBudgetMs / 1000} s`);
        return null;
      }
      // 100 ms, 200, 400, then every second, with jitter so 200 clients do not retry in step.
      await sleep(Math.min(1000, 100 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }

  async signIn(rec: LoadRecorder): Promise<void> {
    const csrf = await this.withRetries(rec, "signin", () => this.send("GET", "/api/auth/csrf"));
    const csrfToken = (csrf?.body as { csrfToken?: string } | undefined)?.csrfToken;
    if (!csrfToken) throw new Error(`no CSRF token for ${this.email}: ${JSON.stringify(csrf?.body)}`);
    const res = await this.withRetries(rec, "signin", () =>
      this.send("POST", "/api/auth/callback/credentials", { form: { csrfToken, email: this.email, password: this.password, json: "true" } }),
    );
    const url = (res?.body as { url?: string } | undefined)?.url ?? "";
    if (!this.cookieHeader().includes("next-auth.session-token") || url.includes("error=")) {
      throw new Error(`sign-in failed for ${this.email}: ${res?.status} ${JSON.stringify(res?.body)}`);
    }
  }

  /** Leases and judges pairs until `deadline` (ms since the load started) or the campaign runs out. */
  async run(campaignId: string, deadline: number, rec: LoadRecorder): Promise<void> {
    while (rec.now() < deadline) {
      let t = performance.now();
      const next = await this.withRetries(rec, "next", () => this.send("POST", `/api/v1/campaigns/${campaignId}/tasks`, { json: { count: 1 } }));
      if (!next) continue;
      if (next.status !== 200) {
        rec.error(`next ${next.status} ${errorCode(next.body)}`);
        await sleep(500);
        continue;
      }
      rec.nextMs.push(performance.now() - t);
      const task = (next.body as { tasks: { assignmentId: string }[] }).tasks[0];
      if (!task) {
        rec.exhausted++;
        return;
      }

      const clientSubmissionId = randomUUID();
      const r = Math.random();
      const judgment =
        r < 0.1 ? { choice: "tie", strength: null } : { choice: r < 0.55 ? "left" : "right", strength: 1 + Math.floor(Math.random() * 4) };
      const body = { clientSubmissionId, assignmentId: task.assignmentId, ...judgment, activeMs: 4000 };
      rec.attempted.add(clientSubmissionId);
      t = performance.now();
      const submit = await this.withRetries(rec, "submit", () => this.send("POST", "/api/v1/judgments", { json: body }));
      if (!submit) continue;
      if (submit.status !== 201) {
        rec.error(`submit ${submit.status} ${errorCode(submit.body)}`);
        continue;
      }
      rec.submitMs.push(performance.now() - t);
      rec.acked.push({ id: clientSubmissionId, at: rec.now() });
      // The server stamps a judgment with its transaction's start: earlier than the last send
      // means an earlier attempt stored it and the resend got the stored row back.
      const createdAt = Date.parse((submit.body as { judgment: { createdAt: string } }).judgment.createdAt);
      if (submit.attempts > 1 && createdAt < submit.lastSentAt) rec.replayed++;
    }
  }
}
