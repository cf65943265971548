import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import { db } from "@/db/client";
import { apiTokens, users, type ApiToken, type User } from "@/db/schema";
import { recordAudit } from "@/lib/audit/audit";
import { AppError } from "@/lib/errors";

const TOKEN_PREFIX = "pw_";

function hashToken(token: string): string {
  // Tokens carry 256 random bits, so a fast hash is enough; no salt or argon2 needed.
  return createHash("sha256").update(token).digest("hex");
}

/** Creates a token and returns it in full: the only time it is ever shown. */
export async function createApiToken({ userId, name }: { userId: string; name: string }): Promise<{ token: string; row: ApiToken }> {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiTokens)
      .values({ userId, name, tokenHash: hashToken(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) })
      .returning();
    await recordAudit({ tx, actorId: userId, action: "token.created", targetType: "api_token", targetId: row!.id, details: { name } });
    return { token, row: row! };
  });
}

export async function listApiTokens({ userId }: { userId: string }): Promise<ApiToken[]> {
  return db.select().from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.createdAt));
}

export async function revokeApiToken({ userId, tokenId }: { userId: string; tokenId: string }): Promise<void> {
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  if (!row) throw new AppError("not_found:api_token", "No such active token.");
  await recordAudit({ actorId: userId, action: "token.revoked", targetType: "api_token", targetId: tokenId });
}

/** The user a bearer token belongs to, or null when the token is unknown or revoked. Records the token's use (lastUsedAt). */
export async function findUserByApiToken({ token }: { token: string }): Promise<User | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const [hit] = await db
    .select({ user: users, tokenId: apiTokens.id })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)))
    .limit(1);
  if (!hit) return null;
  await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, hit.tokenId));
  return hit.user;
}
