"use server";
import { actionResult, formArg, type ActionResult } from "@/lib/action-result";
import { acceptInvite, resetPasswordWithLink } from "@/lib/users/account-links";

/**
 * Public actions: the one-time token is the authorisation, checked first inside
 * acceptInvite / resetPasswordWithLink before anything is hashed or written.
 */
export async function acceptInviteAction(token: string, formArgument: FormData): Promise<ActionResult<{ email: string }>> {
  return actionResult(async () => {
    const form = formArg(formArgument);
    const user = await acceptInvite({
      token: typeof token === "string" ? token : "", // any other value a client sends is an unknown link
      input: { name: form.get("name") as string, password: form.get("password") as string, confirmPassword: form.get("confirmPassword") as string },
    });
    return { email: user.email };
  });
}

export async function resetPasswordAction(token: string, formArgument: FormData): Promise<ActionResult<{ email: string }>> {
  return actionResult(async () => {
    const form = formArg(formArgument);
    const user = await resetPasswordWithLink({
      token: typeof token === "string" ? token : "", // any other value a client sends is an unknown link
      input: { password: form.get("password") as string, confirmPassword: form.get("confirmPassword") as string },
    });
    return { email: user.email };
  });
}
