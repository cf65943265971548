import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db/client";
import { campaigns, pairs, prompts, responses, users } from "@/db/schema";
import { demoAccounts, demoCampaign } from "./demo-data";
import { seedDemo } from "./demo";

async function counts() {
  const [u] = await db.select({ n: count() }).from(users);
  const [p] = await db.select({ n: count() }).from(prompts);
  const [r] = await db.select({ n: count() }).from(responses);
  const [pa] = await db.select({ n: count() }).from(pairs);
  return { users: u!.n, prompts: p!.n, responses: r!.n, pairs: pa!.n };
}

describe("demo seed", () => {
  it("creates the five accounts and an active campaign of 20+ pairs, and a second run adds nothing", async () => {
    await seedDemo({ password: "pairwise-demo" });
    const after = await counts();
    const second = await seedDemo({ password: "pairwise-demo" });
    expect(second).toEqual({ users: 0, pairs: 0 });
    expect(await counts()).toEqual(after);

    const emails = (await db.select({ email: users.email }).from(users)).map((u) => u.email);
    for (const a of demoAccounts) expect(emails).toContain(a.email);
    const campaign = await db.query.campaigns.findFirst({ where: eq(campaigns.name, demoCampaign.name) });
    expect(campaign?.status).toBe("active");
    const [n] = await db.select({ n: count() }).from(pairs).where(eq(pairs.campaignId, campaign!.id));
    expect(n!.n).toBeGreaterThanOrEqual(20);
  });
});
