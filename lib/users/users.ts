import "server-only";
import { asc, eq, inArray } from "drizzle-orm";
import { db } from "@/db/client";
import { users, type User } from "@/db/schema";
import type { Role } from "@/db/values";
import { recordAudit } from "@/lib/audit/audit";
import { hashPassword } from "@/lib/auth/password";
import { AppError } from "@/lib/errors";
import {
  createUserSchema,
  updateUserSchema,
  type CreateUserInput,
  type UpdateUserInput,
  type UserDto,
} from "./schema";

export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    disabled: user.disabledAt !== null,
    createdAt: user.createdAt.toISOString(),
  };
}

export async function findUserByEmail({ email }: { email: string }): Promise<User | undefined> {
  return db.query.users.findFirst({ where: eq(users.email, email.trim().toLowerCase()) });
}

export async function findUserById({ userId }: { userId: string }): Promise<User | undefined> {
  return db.query.users.findFirst({ where: eq(users.id, userId) });
}

/** False on a fresh database: `npm start` then seeds the demo. */
export async function hasAnyUser(): Promise<boolean> {
  return (await db.select({ id: users.id }).from(users).limit(1)).length > 0;
}

export async function listUsers(): Promise<User[]> {
  return db.select().from(users).orderBy(asc(users.email));
}

export async function createUser({ input, actorId }: { input: CreateUserInput; actorId: string | null }): Promise<User> {
  const data = createUserSchema.parse(input);
  const passwordHash = await hashPassword(data.password);
  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email: data.email, name: data.name, role: data.role, passwordHash })
      .onConflictDoNothing({ target: users.email })
      .returning();
    if (!user) throw new AppError("conflict:user_email", `A user with the email ${data.email} already exists.`);
    await recordAudit({ tx, actorId, action: "user.created", targetType: "user", targetId: user.id, details: { role: user.role } });
    return user;
  });
}

export async function updateUser({
  userId,
  input,
  actorId,
}: {
  userId: string;
  input: UpdateUserInput;
  actorId: string;
}): Promise<User> {
  const data = updateUserSchema.parse(input);
  if (userId === actorId && (data.disabled === true || (data.role && data.role !== "admin"))) {
    throw new AppError("conflict:self_lockout", "You cannot disable yourself or remove your own admin role.");
  }
  const passwordHash = data.password ? await hashPassword(data.password) : undefined;
  return db.transaction(async (tx) => {
    // The guard read the actor's row when the request began, so two admins who demoted or disabled
    // each other at the same moment both passed it and left no admin. Both rows are locked in one
    // order, and the actor must still be an active admin once they are.
    const locked = await tx.select().from(users).where(inArray(users.id, [userId, actorId])).orderBy(asc(users.id)).for("update");
    const before = locked.find((u) => u.id === userId);
    if (!before) throw new AppError("not_found:user", "No such user.");
    const actor = locked.find((u) => u.id === actorId);
    if (actor?.role !== "admin" || actor.disabledAt !== null) throw new AppError("forbidden", "Your account is no longer an active admin.");
    const [user] = await tx
      .update(users)
      .set({
        name: data.name,
        role: data.role,
        passwordHash,
        disabledAt: data.disabled === undefined ? undefined : data.disabled ? (before.disabledAt ?? new Date()) : null,
        updatedAt: new Date(),
      })
      .where(eq(users.id, userId))
      .returning();
    if (data.role && data.role !== before.role) {
      await recordAudit({ tx, actorId, action: "user.role_changed", targetType: "user", targetId: userId, details: { from: before.role, to: data.role } });
    }
    if (data.disabled !== undefined && data.disabled !== (before.disabledAt !== null)) {
      await recordAudit({ tx, actorId, action: data.disabled ? "user.disabled" : "user.enabled", targetType: "user", targetId: userId });
    }
    if (passwordHash) {
      await recordAudit({ tx, actorId, action: "user.password_reset", targetType: "user", targetId: userId });
    }
    return user!;
  });
}

export function homePathFor(role: Role): string {
  return { labeler: "/label", researcher: "/research", admin: "/admin" }[role];
}
