"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actionResult, idArg, type ActionResult, type FormResult } from "@/lib/action-result";
import { requireRole, tokenRoles } from "@/lib/auth/guard";
import { createApiToken, revokeApiToken } from "@/lib/auth/tokens";
import { formAction } from "@/lib/forms/form-action";

const nameSchema = z.string().trim().min(1, "Give the token a name.").max(100);

export async function createTokenAction(_prev: ActionResult<{ token: string }> | null, formArgument: FormData): Promise<FormResult<{ token: string }>> {
  const user = await requireRole(...tokenRoles);
  // The token is shown once, on the page, and never put in its URL (lib/forms/form-action.ts).
  return formAction(formArgument, { answer: () => ({ path: "/settings/tokens", flash: "token" }) }, async (form) => {
    const { token } = await createApiToken({ userId: user.id, name: nameSchema.parse(form.get("name")) });
    revalidatePath("/settings/tokens");
    return { token };
  });
}

export async function revokeTokenAction(tokenId: string): Promise<ActionResult> {
  const user = await requireRole(...tokenRoles);
  return actionResult(async () => {
    await revokeApiToken({ userId: user.id, tokenId: idArg(tokenId, "api_token") });
    revalidatePath("/settings/tokens");
    return undefined;
  });
}
