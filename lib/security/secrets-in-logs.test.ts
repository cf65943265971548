/**
 * Secrets never reach the logs. Sign-ins (right and wrong password), token creation and
 * use, and user creation (API, server action, CLI) run with the logger at trace level
 * and its real redaction config; everything written (the logger, the console, stdout and
 * stderr, the CLI's output) is then searched for every password, raw token and the
 * NEXTAUTH_SECRET.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { childProcessEnv, env } from "@/lib/env";
import { makeUser } from "@/lib/testing/fixtures";
import { inRequestScope, sessionCookie } from "@/lib/testing/request-scope";

const captured = vi.hoisted(() => [] as string[]);

// The app's logger, with its own options (redaction included) at trace level, writing here.
vi.mock("@/lib/logger", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/logger")>();
  const { default: pino } = await import("pino");
  return { ...actual, logger: pino({ ...actual.loggerOptions, level: "trace" }, { write: (line: string) => void captured.push(line) }) };
});
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

const consoleOutput: string[] = [];
const secrets: Record<string, string> = {};
const secret = (name: string) => (secrets[name] = `${name}-${randomUUID()}`);

beforeAll(() => {
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void consoleOutput.push(args.map(String).join(" ")));
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      consoleOutput.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
});

afterAll(() => {
  vi.restoreAllMocks();
});

async function call<Ctx>(handler: (r: Request, ctx: Ctx) => Promise<Response>, request: Request, ctx: Ctx): Promise<Response> {
  return inRequestScope(request, (r) => handler(r, ctx));
}

async function signIn(email: string, password: string): Promise<Response> {
  const { GET, POST } = await import("@/app/api/auth/[...nextauth]/route");
  const base = "http://localhost:3000/api/auth";
  const csrf = await call(GET, new Request(`${base}/csrf`), { params: Promise.resolve({ nextauth: ["csrf"] }) });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  return call(
    POST,
    new Request(`${base}/callback/credentials`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie, "x-forwarded-for": "203.0.113.7" },
      body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
    }),
    { params: Promise.resolve({ nextauth: ["callback", "credentials"] }) },
  );
}

function runCli(email: string, password: string): string {
  const out = spawnSync(process.execPath, ["--import", "tsx", "--conditions=react-server", "scripts/user-create.ts", "--email", email, "--role", "labeler"], {
    env: childProcessEnv({ PAIRWISE_NEW_USER_PASSWORD: password, LOG_LEVEL: "trace" }),
    encoding: "utf8",
    timeout: 60_000,
  });
  return `${out.stdout}\n${out.stderr}`;
}

describe("secrets in logs", () => {
  it("never logs a password, a raw API token or the auth secret", async () => {
    const { createTokenAction } = await import("@/app/(app)/settings/tokens/actions");
    const { createUserAction } = await import("@/app/(app)/admin/actions");
    const users = await import("@/app/api/v1/users/route");
    const user = await import("@/app/api/v1/users/[id]/route");
    const me = await import("@/app/api/v1/me/route");

    // 1. Sign-ins: right password, wrong password.
    const researcher = await makeUser("researcher", secret("researcher-password"));
    const admin = await makeUser("admin", secret("admin-password"));
    expect((await signIn(researcher.email, secrets["researcher-password"]!)).headers.getSetCookie().some((c) => c.includes("session-token="))).toBe(true);
    expect((await signIn(researcher.email, secret("wrong-password"))).headers.getSetCookie().some((c) => c.includes("session-token="))).toBe(false);

    // 2. Tokens, created through the settings page's action, then used.
    const researcherCookie = await sessionCookie(researcher);
    const adminCookie = await sessionCookie(admin);
    // As the page's script sends an action (with Next-Action): sent by the browser itself, a success redirects.
    const asAction = <T>(cookie: string, fn: () => Promise<T>) => inRequestScope(new Request("http://localhost:3000/", { method: "POST", headers: { cookie, "next-action": "7f00" } }), fn);
    const tokenForm = new FormData();
    tokenForm.set("name", "ci");
    const researcherToken = await asAction(researcherCookie, () => createTokenAction(null, tokenForm));
    const adminToken = await asAction(adminCookie, () => createTokenAction(null, tokenForm));
    if (!researcherToken.ok || !adminToken.ok) throw new Error("token creation failed");
    secrets["researcher-token"] = researcherToken.data.token;
    secrets["admin-token"] = adminToken.data.token;
    const bearer = (token: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });
    expect((await call(me.GET, new Request("http://localhost:3000/api/v1/me", { headers: bearer(researcherToken.data.token) }), undefined)).status).toBe(200);

    // 3. Users: by API (allowed, refused, duplicate), a password change, the admin page's action, the CLI.
    const newEmail = `new-${randomUUID()}@test.local`;
    const createBody = (password: string) => JSON.stringify({ email: newEmail, role: "labeler", password });
    const post = (token: string, body: string) => call(users.POST, new Request("http://localhost:3000/api/v1/users", { method: "POST", headers: bearer(token), body }), undefined);
    expect((await post(researcherToken.data.token, createBody(secret("refused-password")))).status).toBe(403);
    const created = await post(adminToken.data.token, createBody(secret("api-password")));
    expect(created.status).toBe(201);
    expect((await post(adminToken.data.token, createBody(secret("duplicate-password")))).status).toBe(409);
    const { user: newUser } = (await created.json()) as { user: { id: string } };
    const patch = new Request(`http://localhost:3000/api/v1/users/${newUser.id}`, { method: "PATCH", headers: bearer(adminToken.data.token), body: JSON.stringify({ password: secret("changed-password") }) });
    expect((await call(user.PATCH, patch, { params: Promise.resolve({ id: newUser.id }) })).status).toBe(200);
    const userForm = new FormData();
    for (const [k, v] of Object.entries({ email: `form-${randomUUID()}@test.local`, role: "labeler", name: "", password: secret("form-password") })) userForm.set(k, v);
    expect(await asAction(adminCookie, () => createUserAction(null, userForm))).toMatchObject({ ok: true });
    const cliEmail = `cli-${randomUUID()}@test.local`;
    const cliOutput = [runCli(cliEmail, secret("cli-password")), runCli(cliEmail, secret("cli-duplicate-password"))].join("\n");
    expect(cliOutput).toMatch(/Created cli-/);
    expect(cliOutput).toMatch(/already exists/);

    // What was written proves the logger was listening.
    const logs = captured.join("");
    expect(logs).toMatch(/"event":"signin\.ok"/);
    expect(logs).toMatch(/"event":"signin\.failed"/);
    expect(logs).toMatch(/"route":"\/api\/v1\/users","status":201/);

    secrets.NEXTAUTH_SECRET = env.NEXTAUTH_SECRET!;
    const everything = [logs, ...consoleOutput, cliOutput].join("\n");
    const found = Object.entries(secrets).filter(([, value]) => everything.includes(value)).map(([name]) => name);
    expect(found).toEqual([]);
    // Nor the hashes they are stored as.
    expect(everything).not.toMatch(/\$argon2id\$/);
  }, 120_000);
});
