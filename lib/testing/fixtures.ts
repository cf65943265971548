/** Helpers for integration tests: users with unique emails, so tests never collide. */
import { randomUUID } from "node:crypto";
import type { User } from "@/db/schema";
import type { Role } from "@/db/values";
import { createUser } from "@/lib/users/users";

export async function makeUser(role: Role = "labeler", password = "correct-horse-battery"): Promise<User> {
  return createUser({ input: { email: `${role}-${randomUUID()}@test.local`, role, password }, actorId: null });
}
