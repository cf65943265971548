import { describe, expect, it } from "vitest";
import { GET as getMe } from "@/app/api/v1/me/route";
import { makeUser } from "@/lib/testing/fixtures";
import { updateUser } from "@/lib/users/users";
import { requireApiRole, requireApiUser } from "./guard";
import { clearSigninFailures, recordSigninFailure, signinBlockedFor } from "./rate-limit";
import { createApiToken, findUserByApiToken, revokeApiToken } from "./tokens";

const bearer = (token: string) => new Request("http://test/api/v1/me", { headers: { authorization: `Bearer ${token}` } });

describe("API tokens", () => {
  it("authenticates until revoked, and is stored only as a hash", async () => {
    const researcher = await makeUser("researcher");
    const { token, row } = await createApiToken({ userId: researcher.id, name: "laptop" });
    expect(token).toMatch(/^pw_[A-Za-z0-9_-]{43}$/);
    expect(row.tokenHash).not.toContain(token.slice(3));
    expect(row.prefix).toBe(token.slice(0, 9));

    expect((await requireApiUser(bearer(token))).id).toBe(researcher.id);
    await revokeApiToken({ userId: researcher.id, tokenId: row.id });
    expect(await findUserByApiToken({ token })).toBeNull();
    await expect(requireApiUser(bearer(token))).rejects.toMatchObject({ status: 401 });
  });

  it("rejects an unknown token with 401 and a wrong role with 403", async () => {
    await expect(requireApiUser(bearer("pw_not-a-real-token"))).rejects.toMatchObject({ status: 401 });
    const researcher = await makeUser("researcher");
    const { token } = await createApiToken({ userId: researcher.id, name: "ci" });
    await expect(requireApiRole(bearer(token), "admin")).rejects.toMatchObject({ status: 403, code: "forbidden" });
    expect((await requireApiRole(bearer(token), "researcher", "admin")).id).toBe(researcher.id);
  });

  it("stops working for a disabled user and for a user demoted to labeler", async () => {
    const admin = await makeUser("admin");
    const a = await makeUser("researcher");
    const b = await makeUser("researcher");
    const ta = await createApiToken({ userId: a.id, name: "x" });
    const tb = await createApiToken({ userId: b.id, name: "y" });
    await updateUser({ userId: a.id, input: { disabled: true }, actorId: admin.id });
    await updateUser({ userId: b.id, input: { role: "labeler" }, actorId: admin.id });
    await expect(requireApiUser(bearer(ta.token))).rejects.toMatchObject({ status: 401, code: "unauthorized:account_disabled" });
    await expect(requireApiUser(bearer(tb.token))).rejects.toMatchObject({ status: 403, code: "forbidden:token_role" });
  });

  it("tells a live token's holder why its owner is refused, through the route, and a stranger only that the token is invalid", async () => {
    const admin = await makeUser("admin");
    const owner = await makeUser("researcher");
    const { token } = await createApiToken({ userId: owner.id, name: "laptop" });
    const me = async (t: string) => {
      const res = await getMe(bearer(t), { params: Promise.resolve({}) });
      return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string }; user?: { id: string } } };
    };

    await updateUser({ userId: owner.id, input: { role: "labeler" }, actorId: admin.id });
    const demoted = await me(token);
    expect(demoted.status).toBe(403);
    expect(demoted.body.error).toMatchObject({ code: "forbidden:token_role", message: expect.stringMatching(/^This token's owner is no longer a researcher or admin/) });

    // A guessed or revoked token learns nothing about anyone: the same answer as before.
    const stranger = await me("pw_guessed-token-of-43-characters-aaaaaaaaaaaaa");
    expect(stranger.status).toBe(401);
    expect(stranger.body.error).toMatchObject({ code: "unauthorized:token", message: "The API token is invalid or revoked." });

    // Disabled as well: that is what an admin must undo first, so it is what the holder is told.
    await updateUser({ userId: owner.id, input: { disabled: true }, actorId: admin.id });
    expect((await me(token)).body.error?.code).toBe("unauthorized:account_disabled");

    // The token was never revoked: given the role back, it works again.
    await updateUser({ userId: owner.id, input: { disabled: false, role: "researcher" }, actorId: admin.id });
    expect(await me(token)).toMatchObject({ status: 200, body: { user: { id: owner.id } } });
  });

  it("cannot be revoked by another user", async () => {
    const owner = await makeUser("researcher");
    const other = await makeUser("researcher");
    const { token, row } = await createApiToken({ userId: owner.id, name: "mine" });
    await expect(revokeApiToken({ userId: other.id, tokenId: row.id })).rejects.toMatchObject({ status: 404 });
    expect((await findUserByApiToken({ token }))?.id).toBe(owner.id);
  });
});

describe("sign-in rate limit", () => {
  it("blocks an account after 5 failures in the window, and a success clears it", async () => {
    const email = `victim-${Date.now()}@test.local`;
    for (let i = 0; i < 4; i++) await recordSigninFailure({ email, ip: `10.0.0.${i}` });
    expect(await signinBlockedFor({ email, ip: "10.0.1.1" })).toBeNull();
    await recordSigninFailure({ email, ip: "10.0.0.9" });
    expect(await signinBlockedFor({ email, ip: "10.0.1.1" })).toMatch(/Too many failed sign-ins for this account/);
    await clearSigninFailures({ email });
    expect(await signinBlockedFor({ email, ip: "10.0.1.1" })).toBeNull();
  });

  it("blocks an IP after 20 failures across accounts", async () => {
    const ip = `192.0.2.${Math.floor(Math.random() * 250)}-${Date.now()}`;
    for (let i = 0; i < 20; i++) await recordSigninFailure({ email: `spray-${i}-${Date.now()}@test.local`, ip });
    expect(await signinBlockedFor({ email: "fresh@test.local", ip })).toMatch(/from your network/);
    expect(await signinBlockedFor({ email: "fresh@test.local", ip: "198.51.100.1" })).toBeNull();
  });
});
