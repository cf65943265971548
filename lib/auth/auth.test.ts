import { describe, expect, it } from "vitest";
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
    await expect(requireApiUser(bearer(tb.token))).rejects.toMatchObject({ status: 401, code: "unauthorized:token" });
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
