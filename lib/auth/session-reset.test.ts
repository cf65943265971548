/**
 * A password reset ends the sessions opened before it: the guard reads the user row on every
 * request and refuses a session that signed in before `sessions_valid_after`.
 */
import { describe, expect, it } from "vitest";
import { makeUser } from "@/lib/testing/fixtures";
import { inRequestScope, sessionCookie } from "@/lib/testing/request-scope";
import { createPasswordResetLink, resetPasswordWithLink } from "@/lib/users/account-links";
import { sessionStillValid } from "./guard";

const me = async (cookie: string) => {
  const route = await import("@/app/api/v1/me/route");
  const res = await inRequestScope(new Request("http://localhost:3000/api/v1/me", { headers: { cookie } }), (r) => route.GET(r, undefined as never));
  return res.status;
};

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
});
