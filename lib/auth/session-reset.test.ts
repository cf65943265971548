/**
 * A password reset ends the sessions opened before it: the guard reads the user row on every
 * request and refuses a session that signed in before `sessions_valid_after`.
 */
import { describe, expect, it } from "vitest";
import { makeUser } from "@/lib/testing/fixtures";
import { inRequestScope, sessionCookie } from "@/lib/testing/request-scope";
import { createPasswordResetLink, resetPasswordWithLink } from "@/lib/users/account-links";
import { updateUser } from "@/lib/users/users";
import { requireUser, sessionStillValid } from "./guard";

const meResponse = async (cookie: string) => {
  const route = await import("@/app/api/v1/me/route");
  return inRequestScope(new Request("http://localhost:3000/api/v1/me", { headers: { cookie } }), (r) => route.GET(r, undefined as never));
};
const me = async (cookie: string) => (await meResponse(cookie)).status;

describe("sessions and password resets", () => {
  it("refuses a session opened before the reset and accepts one opened after it", async () => {
    const admin = await makeUser("admin");
    const user = await makeUser("labeler");
    const before = await sessionCookie(user, Date.now() - 60_000);
    expect(await me(before)).toBe(200);

    const { token } = await createPasswordResetLink({ userId: user.id, actorId: admin.id });
    await resetPasswordWithLink({ token, input: { password: "a-fresh-password", confirmPassword: "a-fresh-password" } });
    expect(await me(before)).toBe(401);
    expect(await me(await sessionCookie(user, Date.now() + 1))).toBe(200);
    // A session from before this field existed (no signedInAt) is treated as old.
    expect(sessionStillValid({ disabledAt: null, sessionsValidAfter: new Date() }, undefined)).toBe(false);
    expect(sessionStillValid({ disabledAt: null, sessionsValidAfter: null }, undefined)).toBe(true);
  });

  it("tells a disabled account apart from an ended session: its own code on the API, the reason on the sign-in page", async () => {
    const admin = await makeUser("admin");
    const user = await makeUser("labeler");
    const cookie = await sessionCookie(user);
    await updateUser({ userId: user.id, input: { disabled: true }, actorId: admin.id });

    const res = await meResponse(cookie);
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatchObject({ code: "unauthorized:account_disabled", message: "This account is disabled. Ask an admin to re-enable it." });
    // A page sends the still-open session to sign-in with the code its message is shown for.
    const page = new Request("http://localhost:3000/label", { headers: { cookie } });
    const refused = await inRequestScope(page, () => requireUser().then(() => null, (err: unknown) => err));
    expect(refused).toMatchObject({ digest: expect.stringContaining("/signin?error=AccountDisabled") });

    // An ended session is still just "sign in".
    await updateUser({ userId: user.id, input: { disabled: false }, actorId: admin.id });
    const { token } = await createPasswordResetLink({ userId: user.id, actorId: admin.id });
    await resetPasswordWithLink({ token, input: { password: "a-fresh-password", confirmPassword: "a-fresh-password" } });
    expect((await (await meResponse(cookie)).json()).error.code).toBe("unauthorized");
  });
});
