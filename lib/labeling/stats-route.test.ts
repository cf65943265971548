import { describe, expect, it } from "vitest";
import { GET as statsRoute } from "@/app/api/v1/me/stats/route";
import { createApiToken } from "@/lib/auth/tokens";
import { makeUser } from "@/lib/testing/fixtures";

describe("GET /api/v1/me/stats?tz= (real Postgres)", () => {
  const call = async (tz: string) => {
    // API tokens are for researchers and admins; the page (a labeler's session) sends the same query.
    const user = await makeUser("researcher");
    const { token } = await createApiToken({ userId: user.id, name: "test" });
    return statsRoute(new Request(`http://test/api/v1/me/stats?tz=${encodeURIComponent(tz)}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });
  };

  it("counts today in a zone both the runtime and Postgres know", async () => {
    const res = await call("America/New_York");
    expect(res.status).toBe(200);
    expect((await res.json()).stats.today).toBe(0);
  });

  it("refuses (400) a zone the runtime's Intl accepts but Postgres does not know, instead of a 500", async () => {
    // Node's ICU still takes US/Pacific-New (an alias tzdata dropped in 2020b); Postgres answers
    // 'time zone "US/Pacific-New" not recognized', which reached the caller as a 500.
    expect(() => new Intl.DateTimeFormat("en", { timeZone: "US/Pacific-New" })).not.toThrow();
    const res = await call("US/Pacific-New");
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("bad_request:time_zone");
    expect(body.error.message).toContain("US/Pacific-New");
  });

  it("refuses a name no runtime knows", async () => {
    const res = await call("Mars/Olympus_Mons");
    expect(res.status).toBe(400);
  });
});
