/** The invite and reset-link API: admins get the one-time URL; it works once; others are refused. */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { POST as invitesRoute } from "@/app/api/v1/invites/route";
import { POST as resetLinkRoute } from "@/app/api/v1/users/[id]/reset-link/route";
import { createApiToken } from "@/lib/auth/tokens";
import { env } from "@/lib/env";
import { makeUser } from "@/lib/testing/fixtures";
import { acceptInvite, inspectAccountLink } from "./account-links";

const bearer = async (role: "admin" | "researcher") => `Bearer ${(await createApiToken({ userId: (await makeUser(role)).id, name: "links" }))!.token}`;
const post = (url: string, authorization: string, body?: unknown) =>
  new Request(url, { method: "POST", headers: { authorization, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });

describe("invite and reset-link API", () => {
  it("gives an admin a one-time invite URL that creates the account once, and refuses a researcher", async () => {
    const email = `api-invite-${randomUUID()}@test.local`;
    const res = await invitesRoute(post("http://app.test/api/v1/invites", await bearer("admin"), { email, role: "researcher" }), undefined);
    expect(res.status).toBe(201);
    const { link } = (await res.json()) as { link: { kind: string; email: string; path: string; url: string } };
    expect(link).toMatchObject({ kind: "invite", email, path: expect.stringMatching(/^\/invite\/[\w-]{43}$/) });
    expect(link.url).toBe(new URL(link.path, env.NEXTAUTH_URL ?? "http://app.test").toString());
    const token = link.path.split("/").pop()!;
    const user = await acceptInvite({ token, input: { name: "Via API", password: "a-fresh-password", confirmPassword: "a-fresh-password" } });
    expect(user).toMatchObject({ email, role: "researcher" });
    expect((await inspectAccountLink({ kind: "invite", token })).state).toBe("used");

    const refused = await invitesRoute(post("http://app.test/api/v1/invites", await bearer("researcher"), { email: `x-${randomUUID()}@test.local` }), undefined);
    expect(refused.status).toBe(403);
  });

  it("gives an admin a reset link for a user, and 404 for an unknown or malformed id", async () => {
    const auth = await bearer("admin");
    const user = await makeUser("labeler");
    const call = (id: string) => resetLinkRoute(post(`http://app.test/api/v1/users/${id}/reset-link`, auth), { params: Promise.resolve({ id }) });
    const res = await call(user.id);
    expect(res.status).toBe(201);
    const { link } = (await res.json()) as { link: { kind: string; email: string; path: string } };
    expect(link).toMatchObject({ kind: "password_reset", email: user.email });
    expect((await inspectAccountLink({ kind: "password_reset", token: link.path.split("/").pop()! })).state).toBe("valid");
    expect((await call(randomUUID())).status).toBe(404);
    expect((await call("not-a-uuid")).status).toBe(404);
  });
});
