"use server";
import { revalidatePath } from "next/cache";
import { actionResult, formArg, idArg, type ActionResult } from "@/lib/action-result";
import { requireRole } from "@/lib/auth/guard";
import { createUserSchema, updateUserSchema } from "@/lib/users/schema";
import { createUser, updateUser } from "@/lib/users/users";

export async function createUserAction(_prev: ActionResult<{ email: string }> | null, formArgument: FormData): Promise<ActionResult<{ email: string }>> {
  const admin = await requireRole("admin");
  return actionResult(async () => {
    const form = formArg(formArgument);
    const input = createUserSchema.parse({
      email: form.get("email"),
      name: form.get("name") ?? "",
      role: form.get("role"),
      password: form.get("password"),
    });
    const user = await createUser({ input, actorId: admin.id });
    revalidatePath("/admin");
    return { email: user.email };
  });
}

export async function updateUserAction(userId: string, change: unknown): Promise<ActionResult> {
  const admin = await requireRole("admin");
  return actionResult(async () => {
    await updateUser({ userId: idArg(userId, "user"), input: updateUserSchema.parse(change), actorId: admin.id });
    revalidatePath("/admin");
    return undefined;
  });
}
