"use server";
import { revalidatePath } from "next/cache";
import { actionResult, idArg, plainArg, type ActionResult, type FormResult } from "@/lib/action-result";
import { requireRole } from "@/lib/auth/guard";
import { formAction } from "@/lib/forms/form-action";
import { createInvite, createPasswordResetLink, linkLifetime, revokeAccountLink } from "@/lib/users/account-links";
import { createInviteSchema, createUserSchema, updateUserSchema } from "@/lib/users/schema";
import { createUser, updateUser } from "@/lib/users/users";

export async function createUserAction(_prev: ActionResult<{ email: string }> | null, formArgument: FormData): Promise<FormResult<{ email: string }>> {
  const admin = await requireRole("admin");
  return formAction(formArgument, { answer: () => ({ path: "/admin", flash: "new-user" }) }, async (form) => {
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
    await updateUser({ userId: idArg(userId, "user"), input: updateUserSchema.parse(plainArg(change)), actorId: admin.id });
    revalidatePath("/admin");
    return undefined;
  });
}

/** What the admin copies: the page path of a one-time link (their browser adds the origin). */
export type IssuedLink = { email: string; path: string; lifetime: string };

export async function createInviteAction(_prev: ActionResult<IssuedLink> | null, formArgument: FormData): Promise<FormResult<IssuedLink>> {
  const admin = await requireRole("admin");
  // The link is shown once, on the page, and never put in its URL (lib/forms/form-action.ts).
  return formAction(formArgument, { answer: () => ({ path: "/admin", flash: "invite" }) }, async (form) => {
    const input = createInviteSchema.parse({ email: form.get("email"), role: form.get("role") ?? undefined });
    const { path, link } = await createInvite({ input, actorId: admin.id });
    revalidatePath("/admin");
    return { email: link.email, path, lifetime: linkLifetime.invite.label };
  });
}

export async function createResetLinkAction(userId: string): Promise<ActionResult<IssuedLink>> {
  const admin = await requireRole("admin");
  return actionResult(async () => {
    const { path, link } = await createPasswordResetLink({ userId: idArg(userId, "user"), actorId: admin.id });
    revalidatePath("/admin");
    return { email: link.email, path, lifetime: linkLifetime.password_reset.label };
  });
}

export async function revokeLinkAction(linkId: string): Promise<ActionResult> {
  const admin = await requireRole("admin");
  return actionResult(async () => {
    await revokeAccountLink({ linkId: idArg(linkId, "link"), actorId: admin.id });
    revalidatePath("/admin");
    return undefined;
  });
}
