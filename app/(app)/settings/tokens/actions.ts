"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actionResult, formArg, idArg, type ActionResult } from "@/lib/action-result";
import { requireRole, tokenRoles } from "@/lib/auth/guard";
import { createApiToken, revokeApiToken } from "@/lib/auth/tokens";

const nameSchema = z.string().trim().min(1, "Give the token a name.").max(100);

export async function createTokenAction(_prev: ActionResult<{ token: string }> | null, form: FormData): Promise<ActionResult<{ token: string }>> {
  const user = await requireRole(...tokenRoles);
  return actionResult(async () => {
    const { token } = await createApiToken({ userId: user.id, name: nameSchema.parse(formArg(form).get("name")) });
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
